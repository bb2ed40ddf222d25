"""Every existing clinic gets the escalation rules at their defaults (new clinics get them when created).

The defaults are written out here as they were when the rules were introduced, so this migration does not
change when the code's defaults do. Reversing removes only rules that never fired.
"""

from typing import Any

from django.db import migrations

DEFAULTS = {
    "critical_item": (
        {"due_within_hours": 24, "assign_to": "responsible_clinician"},
        "For every open critical-item alert, an urgent task for the responsible clinician, due within 24 hours "
        "of the alert. A task the team already made from the alert counts: the rule does not add a second.",
    ),
    "reliable_deterioration": (
        {"lookback_days": 30},
        "A patient with a reliable deterioration goes on the case-review list (reason: deteriorated), once per alert.",
    ),
    "no_diary": (
        {"days": 14, "due_within_days": 2, "assign_to": "care_coordinator"},
        "A patient who keeps a diary and has written nothing for 14 days gets a check-in task for the care "
        "coordinator, once per silence.",
    ),
    "overdue_questionnaire": (
        {"task_after_days": 7, "due_within_days": 3, "assign_to": "care_coordinator"},
        "The questionnaire reminder job reminds the patient once per questionnaire. When a questionnaire is still "
        "open 7 days after it was due, this rule never reminds again: it gives the care coordinator a task.",
    ),
    "unacknowledged_alert": (
        {"hours": 4, "working_days": [0, 1, 2, 3, 4], "day_starts": "08:00", "day_ends": "17:00"},
        "An urgent alert not acknowledged within 4 working hours (Monday to Friday, 08:00-17:00 in the clinic's "
        "time zone) goes to the responsible clinician; 4 working hours later, to the team's on-call role.",
    ),
}


def seed(apps: Any, schema_editor: Any) -> None:
    Organisation = apps.get_model("accounts", "Organisation")
    EscalationRule = apps.get_model("coordination", "EscalationRule")
    for organisation in Organisation.objects.all():
        for kind, (parameters, description) in DEFAULTS.items():
            EscalationRule.objects.get_or_create(
                organisation=organisation,
                kind=kind,
                defaults={"parameters": parameters, "description": description, "enabled": True},
            )


def unseed(apps: Any, schema_editor: Any) -> None:
    EscalationRule = apps.get_model("coordination", "EscalationRule")
    EscalationRule.objects.filter(firings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("coordination", "0002_tasks_meetings_agenda_rules")]
    operations = [migrations.RunPython(seed, unseed)]
