"""The diary's fixed vocabularies: the symptoms a patient may rate, the everyday scales, entry kinds and the
parts of the diary a patient may share with the care team."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Symptom(models.TextChoices):
    PAIN = "pain", _("Pain")
    FATIGUE = "fatigue", _("Tiredness (fatigue)")
    DIZZINESS = "dizziness", _("Dizziness")
    HEADACHE = "headache", _("Headache")
    BREATHLESSNESS = "breathlessness", _("Breathlessness")
    PALPITATIONS = "palpitations", _("Heart racing or pounding (palpitations)")
    GUT = "gut", _("Stomach or bowel symptoms")


class Scale(models.TextChoices):
    """Everyday 0-10 scales. Higher is better for energy, mood and ease; lower is better for stress."""

    ENERGY = "energy", _("Energy")
    MOOD = "mood", _("Mood")
    STRESS = "stress", _("Stress")
    EASE = "ease", _("Ease of taking part in what matters to me")


class EntryKind(models.TextChoices):
    DAILY = "daily", _("Daily entry")
    CHECK_IN = "check_in", _("Extra check-in")


class Part(models.TextChoices):
    """The parts of the diary the patient chooses to share with the care team."""

    RATINGS = "ratings", _("My ratings (symptoms, energy, mood, stress, ease)")
    SLEEP = "sleep", _("My sleep")
    ACTIVITIES = "activities", _("What I did, and rest breaks")
    PRACTICE = "practice", _("Home practice I did")
    TRIGGERS = "triggers", _("Triggers and warning signs I noticed")
    WINS = "wins", _("My small wins")
    NOTES = "notes", _("My own notes")


# Shared unless the patient says otherwise: the structured parts the care plan is built on. What the patient
# writes in their own words (small wins, notes) stays private until they choose to share it; the entry page
# says beside each part whether the team sees it.
DEFAULT_SHARED = [Part.RATINGS, Part.SLEEP, Part.ACTIVITIES, Part.PRACTICE, Part.TRIGGERS]

# Where "better" lies on each scale (symptoms: lower is better).
HIGHER_IS_BETTER = frozenset({Scale.ENERGY, Scale.MOOD, Scale.EASE, "sleep_quality"})

# The times an activity took, offered as choices so a phone entry needs no typing (minutes).
ACTIVITY_MINUTES = (10, 20, 30, 45, 60, 90, 120, 180)
SLEEP_HOURS = tuple(h / 2 for h in range(0, 29))  # 0 to 14 hours in half hours
# The parts that say which days were filled in: a team that sees none of them does not learn when the diary was
# kept (nor when it fell silent).
STRUCTURED_PARTS = frozenset({Part.RATINGS, Part.SLEEP, Part.ACTIVITIES, Part.PRACTICE, Part.TRIGGERS})
