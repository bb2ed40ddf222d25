from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    STAFF = "staff", _("Staff")
    PATIENT = "patient", _("Patient")


class Role(models.TextChoices):
    PRIMARY_CARE_PHYSICIAN = "primary_care_physician", _("Primary care physician")
    PSYCHOSOMATIC_THERAPIST = "psychosomatic_therapist", _("Psychosomatic therapist")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PSYCHIATRIC_CONSULTANT = "psychiatric_consultant", _("Psychiatric consultant")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator")
    GROUP_FACILITATOR = "group_facilitator", _("Group facilitator")
    RESEARCHER = "researcher", _("Researcher")
    ADMINISTRATOR = "administrator", _("Administrator")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")


# Roles that may sit on a patient's care team and so see clinical data through it.
CLINICAL_ROLES = frozenset(
    {
        Role.PRIMARY_CARE_PHYSICIAN,
        Role.PSYCHOSOMATIC_THERAPIST,
        Role.PSYCHOLOGIST,
        Role.PHYSIOTHERAPIST,
        Role.SOCIAL_WORKER,
        Role.PSYCHIATRIC_CONSULTANT,
        Role.CARE_COORDINATOR,
        Role.GROUP_FACILITATOR,
    }
)


class LinkPurpose(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    PASSWORD_RESET = "password_reset", _("Password reset")


class TokenScope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Read and write")
