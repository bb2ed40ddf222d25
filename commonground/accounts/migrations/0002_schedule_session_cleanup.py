"""Schedule the daily clean-up of expired sessions and old sign-in failures."""

from typing import Any

from django.db import migrations

JOB = "commonground.accounts.tasks.clear_expired_sessions"


def schedule(apps: Any, schema_editor: Any) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        func=JOB, defaults={"name": "Clear expired sessions", "schedule_type": "D", "repeats": -1}
    )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=JOB).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_organisations_accounts_links_tokens"), ("django_q", "0018_task_success_index")]
    operations = [migrations.RunPython(schedule, unschedule)]
