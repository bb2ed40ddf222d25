from django.db import models
from django.utils.translation import gettext_lazy as _


class NoteKind(models.TextChoices):
    SESSION = "session", _("Session note")
    REVIEW = "review", _("Review note")
    GROUP = "group", _("Group session note")
    OTHER = "other", _("Other note")


class LanguageCategory(models.TextChoices):
    """The note-language check's categories (clinical.md 12.3, after Park 2021)."""

    CREDIBILITY = "credibility", _("Casting doubt on the patient")
    DIFFICULT = "difficult", _("Portraying the patient as difficult")
    BLAME = "blame", _("Blame or disapproval of self-care")
    AUTHORITY = "authority", _("Emphasising the clinician's authority")
    STEREOTYPING = "stereotyping", _("Stereotyping or irrelevant social detail")
    DISMISSIVE = "dismissive", _("Dismissing functional or somatic symptoms")
