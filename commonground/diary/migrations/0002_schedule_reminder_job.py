"""Schedule the diary job: reminders at the time each patient chose, checked every 15 minutes."""

from typing import Any

from django.db import migrations

FUNC = "commonground.diary.tasks.send_diary_reminders"
NAME = "Remind patients of their diary"
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
        ("diary", "0001_set_ups_versions_entries_pacing_reminders"),
        ("django_q", "0018_task_success_index"),
    ]
    operations = [migrations.RunPython(schedule, unschedule)]
