"""Small reads for the member portal's gentle notices: a partnership that ended lately, the member's own posts
the facilitators took down, a small win sent twice, a check-in already sent this week.

Each read is about the member's own enrolment and returns only what that member may see: another member only
by the name they chose to be shown by (`selectors.name_of`), and never who ended a partnership in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db.models import Q

from commonground.groups import schedule
from commonground.groups.choices import PairingStatus, PostKind, PostStatus
from commonground.groups.models import BoardPost, CheckIn, Enrolment, Pairing
from commonground.groups.selectors import name_of
from commonground.kit import clock

# A partnership that ended is mentioned on the partner page for this many days (unless a newer pairing exists).
ENDED_NOTE_DAYS = 14
# The same small win by the same member within this many seconds is a double post (a double click).
SAME_POST_SECONDS = 60


@dataclass(frozen=True)
class EndedPartnership:
    """The member's most recent pairing, ended lately. `ended_by_me` only decides whether the former partner is
    offered again at once; pages never put who ended it into words."""

    partner_enrolment_id: UUID
    partner_name: str
    ended_at: datetime
    ended_by_me: bool


def partnership_ended_lately(enrolment: Enrolment, *, days: int = ENDED_NOTE_DAYS) -> EndedPartnership | None:
    """The member's most recent pairing, if it was an active partnership that ended in the last `days` days and
    no newer pairing (asked, suggested, declined or active) came after it; else None."""
    latest: Pairing | None = (
        Pairing.objects.current()
        .filter(Q(first=enrolment) | Q(second=enrolment))
        .select_related("first__patient", "second__patient")
        .order_by("-created_at")
        .first()
    )
    if latest is None or latest.status != PairingStatus.ENDED or latest.ended_at is None:
        return None
    if latest.ended_at < clock.now() - timedelta(days=days):
        return None
    partner = latest.second if latest.first_id == enrolment.pk else latest.first
    return EndedPartnership(
        partner_enrolment_id=partner.pk,
        partner_name=name_of(partner),
        ended_at=latest.ended_at,
        ended_by_me=latest.ended_by_id == enrolment.pk,
    )


@dataclass(frozen=True)
class TakenDownPost:
    """One of the member's own small wins that the facilitators hid from the group (its words are the member's
    own). The facilitator's reason is not carried: it is written for the record, not to the member."""

    post_id: UUID
    text: str
    posted_at: datetime


def posts_taken_down_by_facilitators(enrolment: Enrolment) -> list[TakenDownPost]:
    """The member's own small wins hidden by the facilitators, newest first (nobody else's)."""
    rows = (
        BoardPost.objects.current()
        .filter(author_enrolment=enrolment, kind=PostKind.SMALL_WIN, status=PostStatus.HIDDEN)
        .order_by("-created_at")
    )
    return [TakenDownPost(post_id=row.pk, text=row.text, posted_at=row.created_at) for row in rows]


def same_small_win_just_posted(
    enrolment: Enrolment, text: str, *, seconds: int = SAME_POST_SECONDS, lock: bool = False
) -> BoardPost | None:
    """The member's own small win with exactly these words (spaces around them aside), posted in the last
    `seconds` seconds and still on the board: the same post sent twice. With `lock` (inside the request's write
    transaction) the member's enrolment row is locked first, so two posts sent at the same moment are checked one
    after the other and the second finds the first."""
    if lock:
        list(Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values_list("pk", flat=True))
    found: BoardPost | None = (
        BoardPost.objects.current()
        .filter(
            author_enrolment=enrolment,
            kind=PostKind.SMALL_WIN,
            status=PostStatus.SHOWN,
            text=text.strip(),
            created_at__gte=clock.now() - timedelta(seconds=seconds),
        )
        .order_by("-created_at")
        .first()
    )
    return found


def checked_in_this_week(pairing: Pairing, enrolment: Enrolment) -> bool:
    """Whether the member already sent this week's check-in in this pairing (a new one then changes it). The
    week is the member's own local week, as `services.check_in` counts it."""
    week = schedule.week_of(clock.local_date(clock.now(), enrolment.patient.time_zone))
    return CheckIn.objects.current().filter(pairing=pairing, by=enrolment, week_of=week).exists()
