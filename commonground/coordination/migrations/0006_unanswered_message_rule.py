"""The unanswered-message rule: a new kind, and every existing clinic gets it at its defaults (new clinics get it
when created, with the other rules).

The defaults are written out as they are today, so this migration does not change when the code's do.
Reversing removes the rule only where it never fired (a firing is part of the record and keeps its rule).
"""

from typing import Any

from django.db import migrations, models

KIND = "unanswered_message"
PARAMETERS = {"grace_hours": 0, "working_days": [0, 1, 2, 3, 4], "day_starts": "08:00", "day_ends": "17:00"}
DESCRIPTION = (
    "A patient's message the team has not answered within the working days the clinic promises on the "
    "patient's messages page (counted Monday to Friday, 08:00-17:00 in the clinic's time zone) gives the care "
    "coordinator a task to reply, or the care-coordinator role when the team has none: one task for the oldest "
    "message waiting, however many follow it. A reply from the team after it closes the matter."
)


def seed(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("accounts", "Organisation")
    EscalationRule = apps.get_model("coordination", "EscalationRule")
    for organisation in Organisation.objects.all():
        EscalationRule.objects.get_or_create(
            organisation=organisation,
            kind=KIND,
            defaults={"parameters": dict(PARAMETERS), "description": DESCRIPTION, "enabled": True},
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    EscalationRule = apps.get_model("coordination", "EscalationRule")
    EscalationRule.objects.filter(kind=KIND, firings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0005_agenda_item_taken_off")]

    operations = [
        migrations.AlterField(
            model_name="escalationrule",
            name="kind",
            field=models.CharField(
                choices=[
                    ("critical_item", "Critical item answered → urgent task"),
                    ("reliable_deterioration", "Reliable deterioration → case-review agenda"),
                    ("no_diary", "No diary entry for a while → check-in task"),
                    ("overdue_questionnaire", "Questionnaire overdue after its reminder → task"),
                    ("unacknowledged_alert", "Urgent alert not acknowledged → escalation"),
                    ("unanswered_message", "Patient's message not answered in time → task"),
                ],
                max_length=30,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
