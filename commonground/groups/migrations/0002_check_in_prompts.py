"""Check-in prompts (once a week per partner, whoever runs the job) and the hourly job that sends them."""

import uuid
from typing import Any

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

FUNC = "commonground.groups.tasks.send_check_in_prompts"
NAME = "Prompt peer partners to check in"
MINUTES = 60


def schedule(apps: Any, schema_editor: Any) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.get_or_create(
        func=FUNC, defaults={"name": NAME, "schedule_type": "I", "minutes": MINUTES, "repeats": -1}
    )


def unschedule(apps: Any, schema_editor: Any) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0001_programmes_cohorts_sessions_partners_board"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckInPrompt",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("week_of", models.DateField()),
                ("sent_at", models.DateTimeField()),
                (
                    "enrolment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="groups.enrolment"
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="groups.pairing"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("pairing", "enrolment", "week_of"), name="groups_one_prompt_a_week")
                ],
            },
        ),
        migrations.RunPython(schedule, unschedule),
    ]
