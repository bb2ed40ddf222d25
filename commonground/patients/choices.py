from django.db import models
from django.utils.translation import gettext_lazy as _


class PatientStatus(models.TextChoices):
    REFERRED = "referred", _("Referred")
    ACTIVE = "active", _("In care")
    DISCHARGED = "discharged", _("Discharged")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Not recorded")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Another gender")
    NOT_SAID = "not_said", _("Prefers not to say")


class EducationLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary or vocational")
    TERTIARY = "tertiary", _("College or university")
    UNKNOWN = "unknown", _("Not recorded")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    DUTCH = "nl", _("Dutch")
    GERMAN = "de", _("German")
    FRENCH = "fr", _("French")
    ARABIC = "ar", _("Arabic")
    TURKISH = "tr", _("Turkish")
    POLISH = "pl", _("Polish")
    OTHER = "other", _("Another language")


class ConsentScope(models.TextChoices):
    CARE = "care", _("Integrated care by the care team")
    SUPPORTER_SHARING = "supporter_sharing", _("Sharing with a supporter")
    GROUP_PARTICIPATION = "group_participation", _("Taking part in a group programme")
    RESEARCH = "research", _("Taking part in research")


class IdentifierSystem(models.TextChoices):
    RECORD_NUMBER = "record_number", _("Clinic record number")
    NATIONAL = "national", _("National health number")
    GP_SYSTEM = "gp_system", _("GP system number")
