"""Make the audit table append-only inside the database (SQLite and PostgreSQL triggers)."""

from typing import Any

from django.db import migrations

from commonground.audit import triggers


def create_guard(apps: Any, schema_editor: Any) -> None:
    for statement in triggers.create_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_guard(apps: Any, schema_editor: Any) -> None:
    for statement in triggers.drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_events")]
    operations = [migrations.RunPython(create_guard, drop_guard)]
