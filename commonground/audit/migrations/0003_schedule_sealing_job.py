"""Schedule the audit sealing job every minute on the task queue."""

from typing import Any

from django.db import migrations

SEAL_JOB = "commonground.audit.tasks.seal_audit_events"


def schedule(apps: Any, schema_editor: Any) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        func=SEAL_JOB, defaults={"name": "Seal audit events", "schedule_type": "I", "minutes": 1, "repeats": -1}
    )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=SEAL_JOB).delete()


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_guard"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule, unschedule)]
