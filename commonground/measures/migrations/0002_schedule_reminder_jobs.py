"""Schedule the measures jobs: schedules written ahead daily, reminders checked hourly."""

from typing import Any

from django.db import migrations

JOBS = (
    ("commonground.measures.tasks.refresh_schedules", "Write measurement schedules ahead", "D", None),
    ("commonground.measures.tasks.send_due_reminders", "Remind patients of questionnaires due", "H", None),
)


def schedule(apps: Any, schema_editor: Any) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    for func, name, schedule_type, _minutes in JOBS:
        Schedule.objects.get_or_create(
            func=func, defaults={"name": name, "schedule_type": schedule_type, "repeats": -1}
        )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func__in=[job[0] for job in JOBS]).delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_plans_schedules_responses_reminders"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule, unschedule)]
