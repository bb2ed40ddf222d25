from django.db import models
from django.utils.translation import gettext_lazy as _


class ElementKind(models.TextChoices):
    """The four elements of multimodal therapy for persistent somatic symptoms."""

    PSYCHOEDUCATION = "psychoeducation", _("Psychoeducation")
    BODY_ORIENTED = "body_oriented", _("Body-oriented exercises")
    COGNITIVE_BEHAVIOURAL = "cognitive_behavioural", _("Cognitive-behavioural approaches")
    ACTIVATION = "activation", _("Activation therapy (graded activity)")


class ElementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Under way")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("In therapy")
    ENDED = "ended", _("Therapy ended")


class PracticeStatus(models.TextChoices):
    ACTIVE = "active", _("Practising")
    ENDED = "ended", _("Finished")


class LibraryKind(models.TextChoices):
    EXERCISE = "exercise", _("Exercise")
    PSYCHOEDUCATION = "psychoeducation", _("Understanding your body")
