from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing (we refer)")
    INCOMING = "incoming", _("Incoming (from the GP)")


class Service(models.TextChoices):
    """Where an outgoing referral goes, or, for an incoming one, the service asked of us."""

    PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
    PSYCHOLOGY = "psychology", _("Psychology")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    SOCIAL_WORK = "social_work", _("Social work")
    COMMUNITY = "community", _("Community services")
    PSYCHOSOMATIC_CARE = "psychosomatic_care", _("Psychosomatic care (this clinic)")


OUTGOING_SERVICES = (
    Service.PHYSIOTHERAPY,
    Service.PSYCHOLOGY,
    Service.PSYCHIATRY,
    Service.SOCIAL_WORK,
    Service.COMMUNITY,
)


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Soon")
    URGENT = "urgent", _("Urgent")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    SCHEDULED = "scheduled", _("Scheduled")
    FIRST_CONTACT = "first_contact", _("First contact")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")


class ResourceKind(models.TextChoices):
    PEER_SUPPORT = "peer_support", _("Peer support group")
    EXERCISE = "exercise", _("Exercise and movement")
    WELFARE = "welfare", _("Welfare and benefits advice")
    WORK = "work", _("Work and re-integration")
    VOLUNTEERING = "volunteering", _("Volunteering and day activities")
    DEBT = "debt", _("Debt advice")
    HOUSING = "housing", _("Housing")
    CARERS = "carers", _("Support for carers")
    CRISIS = "crisis", _("Crisis line")
    OTHER = "other", _("Other")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    INSURED = "insured", _("Covered by basic insurance")
    SLIDING = "sliding", _("Income-related fee")
    PAID = "paid", _("Paid by the person")


# Which directory entries fit a referral out to each service (by the entry's kind). The directory lists
# community resources, so "Community services" takes any of them; the others only what belongs to them, and
# an entry of kind "Other" (not sorted) fits any service. A mismatch is refused (`services._resource`).
RESOURCE_KINDS_FOR: dict[str, frozenset[str]] = {
    Service.PHYSIOTHERAPY: frozenset({ResourceKind.EXERCISE, ResourceKind.OTHER}),
    Service.PSYCHOLOGY: frozenset({ResourceKind.PEER_SUPPORT, ResourceKind.OTHER}),
    Service.PSYCHIATRY: frozenset({ResourceKind.CRISIS, ResourceKind.OTHER}),
    Service.SOCIAL_WORK: frozenset(
        {
            ResourceKind.WELFARE,
            ResourceKind.DEBT,
            ResourceKind.HOUSING,
            ResourceKind.WORK,
            ResourceKind.CARERS,
            ResourceKind.OTHER,
        }
    ),
    Service.COMMUNITY: frozenset(ResourceKind),
}


def kind_fits(service: str, kind: str) -> bool:
    """A directory entry of `kind` may be chosen for a referral to `service`."""
    return kind in RESOURCE_KINDS_FOR.get(service, frozenset())


def services_for_kind(kind: str) -> list[str]:
    """The outgoing services (values, in their usual order) a directory entry of `kind` fits."""
    return [str(service) for service in OUTGOING_SERVICES if kind_fits(service, kind)]
