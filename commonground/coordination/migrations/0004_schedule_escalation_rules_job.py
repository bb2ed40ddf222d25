"""Schedule the escalation rules: every clinic's enabled rules, every 15 minutes."""

from typing import Any

from django.db import migrations

FUNC = "commonground.coordination.tasks.run_escalation_rules"
NAME = "Run the escalation rules"
MINUTES = 15


def schedule(apps: Any, schema_editor: Any) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        func=FUNC, defaults={"name": NAME, "schedule_type": "I", "minutes": MINUTES, "repeats": -1}
    )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coordination", "0003_default_escalation_rules"),
        ("django_q", "0018_task_success_index"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
