"""The member's own writes in a group: their action plan, peer partners and weekly check-ins, small wins on the
board, concerns raised with the facilitators; and the facilitators' side of those (proposing a pairing,
announcements, moderation, answers). Re-exported by `commonground.groups.services`: import from there.

Member functions take the member's enrolment (the portal found it with `selectors.membership_for_patient`,
so it is the signed-in patient's own). Nothing is shared unless the member chose it; either partner may end a
pairing at any time without a reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from commonground.access.gateway import record_write
from commonground.audit.choices import Action
from commonground.goals import selectors as goals_selectors
from commonground.groups import checks, schedule
from commonground.groups.choices import (
    MEMBER_STATUSES,
    CheckInFeeling,
    ConcernAbout,
    ConcernStatus,
    EnrolmentStatus,
    PairingOrigin,
    PairingStatus,
    PartnerShare,
    PostKind,
    PostStatus,
)
from commonground.groups.models import (
    ActionPlan,
    ActionStep,
    BoardPost,
    CheckIn,
    Cohort,
    CohortFacilitator,
    Concern,
    Enrolment,
    Pairing,
)
from commonground.kit import clock
from commonground.kit.errors import DomainError
from commonground.kit.versioning import mark_entered_in_error, save_edit, save_new
from commonground.notifications.services import send_email

OPEN_PAIRING = (PairingStatus.PROPOSED, PairingStatus.ACTIVE)
STEP_FIELDS = ("text", "when", "goal_id", "milestone_id")
FACILITATOR_POSTS = (PostKind.ANNOUNCEMENT, PostKind.MATERIAL)
SAME_POST_WITHIN = timedelta(minutes=2)


def _in_group(enrolment: Enrolment, message: str | None = None) -> None:
    if enrolment.status not in MEMBER_STATUSES or enrolment.is_entered_in_error:
        raise DomainError(message or _("You are no longer in this group."))


def _enrolled_now(enrolment: Enrolment) -> None:
    checks.not_over(enrolment.cohort)
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise DomainError(_("This is for members while the group is running."))


def _patient_user(enrolment: Enrolment) -> Any:
    user = enrolment.patient.user
    if user is None:
        raise DomainError(_("This needs the member's own portal account."))
    return user


def _audit(enrolment: Enrolment, action: str, object_type: str, object_id: Any) -> None:
    record_write(enrolment.patient, action=action, object_type=object_type, object_id=str(object_id))


# --- action plans -------------------------------------------------------------------------------------------


def _plan(enrolment: Enrolment) -> ActionPlan:
    plan, made = ActionPlan.objects.get_or_create(
        enrolment=enrolment, defaults={"organisation_id": enrolment.organisation_id}
    )
    if made:
        _audit(enrolment, Action.CREATE, "group_action_plan", plan.id)
    return plan


def _own_links(enrolment: Enrolment, goal_id: Any, milestone_id: Any) -> tuple[UUID | None, UUID | None]:
    """The goal and ladder rung must be the member's own; a rung brings its goal."""
    patient = enrolment.patient
    goal = milestone = None
    if milestone_id not in (None, ""):
        milestone = goals_selectors.milestone_of(patient, milestone_id)
        if milestone is None:
            raise DomainError(_("Choose one of your own ladder steps."), field="milestone_id")
    if goal_id not in (None, ""):
        goal = goals_selectors.goal_of(patient, goal_id)
        if goal is None:
            raise DomainError(_("Choose one of your own goals."), field="goal_id")
    if milestone is not None and goal is not None and milestone.goal_id != goal.id:
        raise DomainError(_("That ladder step belongs to another goal."), field="milestone_id")
    found_goal = goal.id if goal is not None else (milestone.goal_id if milestone is not None else None)
    return found_goal, milestone.id if milestone is not None else None


@transaction.atomic
def add_action_step(
    enrolment: Enrolment, *, text: str, when: str = "", goal_id: Any = None, milestone_id: Any = None
) -> ActionStep:
    _in_group(enrolment)
    words = checks.text(text, "text", limit=300, required=True)
    goal, milestone = _own_links(enrolment, goal_id, milestone_id)
    plan = _plan(enrolment)
    last = ActionStep.objects.current().filter(plan=plan).aggregate(last=Max("position"))["last"] or 0
    step = save_new(
        ActionStep(
            plan=plan,
            organisation_id=plan.organisation_id,
            position=last + 1,
            text=words,
            when=checks.text(when, "when", limit=120),
            goal_id=goal,
            milestone_id=milestone,
        ),
        reason="Action step added",
    )
    _audit(enrolment, Action.CREATE, "group_action_step", step.id)
    return step


def _step_enrolment(step: ActionStep) -> Enrolment:
    enrolment: Enrolment = Enrolment.objects.select_related("patient", "cohort").get(action_plan__steps=step)
    return enrolment


@transaction.atomic
def change_action_step(step: ActionStep, *, expected_version: int, changes: dict[str, Any]) -> ActionStep:
    checks.only(changes, STEP_FIELDS)
    enrolment = _step_enrolment(step)
    _in_group(enrolment)
    checks.at_version(step, expected_version)
    merged = {field: getattr(step, field) for field in STEP_FIELDS} | changes
    goal, milestone = _own_links(enrolment, merged["goal_id"], merged["milestone_id"])
    checked = {
        "text": checks.text(merged["text"], "text", limit=300, required=True),
        "when": checks.text(merged["when"], "when", limit=120),
        "goal_id": goal,
        "milestone_id": milestone,
    }
    step = save_edit(step, expected_version=expected_version, reason="Action step changed", changes=checked)
    _audit(enrolment, Action.UPDATE, "group_action_step", step.id)
    return step


@transaction.atomic
def mark_step_done(step: ActionStep, *, done: bool = True) -> ActionStep:
    """Done (or, with done=False, not done after all)."""
    enrolment = _step_enrolment(step)
    _in_group(enrolment)
    step = save_edit(
        step,
        expected_version=step.version,
        reason="Action step done" if done else "Action step not done yet",
        changes={"done_at": clock.now() if done else None},
    )
    _audit(enrolment, Action.UPDATE, "group_action_step", step.id)
    return step


@transaction.atomic
def remove_action_step(step: ActionStep) -> ActionStep:
    enrolment = _step_enrolment(step)
    _in_group(enrolment)
    step = mark_entered_in_error(step, expected_version=step.version, reason="Removed by the member")
    _audit(enrolment, Action.UPDATE, "group_action_step", step.id)
    return step


@transaction.atomic
def share_plan_with_group(enrolment: Enrolment, *, shared: bool) -> ActionPlan:
    _in_group(enrolment)
    plan = _plan(enrolment)
    if plan.shared_with_group != bool(shared):
        plan = save_edit(
            plan,
            expected_version=plan.version,
            reason="Plan shared with the group" if shared else "Plan no longer shared",
            changes={"shared_with_group": bool(shared)},
        )
        _audit(enrolment, Action.UPDATE, "group_action_plan", plan.id)
    return plan


# --- partners -----------------------------------------------------------------------------------------------


def _lock_pair(first: Enrolment, second: Enrolment) -> tuple[Enrolment, Enrolment]:
    """Both enrolments locked in one order, so two pairings of the same person cannot be made at once."""
    rows = {
        row.pk: row
        for row in Enrolment.objects.select_for_update(of=("self",))
        .select_related("patient", "cohort")
        .filter(pk__in=sorted([first.pk, second.pk]))
        .order_by("pk")
    }
    return rows[first.pk], rows[second.pk]


def _open_pairing_of(enrolment: Enrolment) -> Pairing | None:
    found: Pairing | None = (
        Pairing.objects.current().filter(Q(first=enrolment) | Q(second=enrolment), status__in=OPEN_PAIRING).first()
    )
    return found


def _pairable(cohort: Cohort, first: Enrolment, second: Enrolment) -> None:
    if first.pk == second.pk:
        raise DomainError(_("A pairing needs two different members."))
    for member in (first, second):
        if member.cohort_id != cohort.id:
            raise DomainError(_("Both partners must be members of this group."))
        _enrolled_now(member)
        if _open_pairing_of(member) is not None:
            raise DomainError(_("One of them already has a partner or a pairing waiting to be agreed."))


@transaction.atomic
def propose_pairing(cohort: Cohort, first: Enrolment, second: Enrolment, *, by: Any) -> Pairing:
    """A facilitator suggests two members as partners; it starts once both agree."""
    checks.runs_cohort(cohort, by)
    checks.not_over(cohort)
    first, second = _lock_pair(first, second)
    _pairable(cohort, first, second)
    pairing = save_new(
        Pairing(
            cohort=cohort,
            organisation_id=cohort.organisation_id,
            first=first,
            second=second,
            origin=PairingOrigin.FACILITATOR,
            proposed_by=by,
        ),
        reason="Pairing suggested",
    )
    for member in (first, second):
        _audit(member, Action.CREATE, "group_pairing", pairing.id)
    return pairing


@transaction.atomic
def ask_to_pair(enrolment: Enrolment, other: Enrolment) -> Pairing:
    """Mutual opt-in: both said they would like a partner; the asker agrees at once. When the other asked
    already, this agrees to their request."""
    enrolment, other = _lock_pair(enrolment, other)
    asked_me: Pairing | None = (
        Pairing.objects.current()
        .filter(first=other, second=enrolment, status=PairingStatus.PROPOSED, origin=PairingOrigin.MUTUAL)
        .first()
    )
    if asked_me is not None:
        return agree_to_pairing(asked_me, enrolment)
    if not (enrolment.wants_partner and other.wants_partner):
        raise DomainError(_("You can ask someone who would also like a partner. Say you would like one first."))
    _pairable(enrolment.cohort, enrolment, other)
    pairing = save_new(
        Pairing(
            cohort=enrolment.cohort,
            organisation_id=enrolment.organisation_id,
            first=enrolment,
            second=other,
            origin=PairingOrigin.MUTUAL,
            proposed_by=_patient_user(enrolment),
            first_agreed_at=clock.now(),
        ),
        reason="Asked to be partners",
    )
    for member in (enrolment, other):
        _audit(member, Action.CREATE, "group_pairing", pairing.id)
    return pairing


def _locked_pairing(pairing: Pairing) -> Pairing:
    locked: Pairing = (
        Pairing.objects.select_for_update(of=("self",))
        .select_related("first__patient", "second__patient", "cohort")
        .get(pk=pairing.pk)
    )
    return locked


def _side(pairing: Pairing, enrolment: Enrolment) -> str:
    if enrolment.pk == pairing.first_id:
        return "first"
    if enrolment.pk == pairing.second_id:
        return "second"
    raise DomainError(_("This pairing is not yours."))


def _audit_both(pairing: Pairing) -> None:
    for member in (pairing.first, pairing.second):
        _audit(member, Action.UPDATE, "group_pairing", pairing.id)


@transaction.atomic
def agree_to_pairing(pairing: Pairing, enrolment: Enrolment) -> Pairing:
    saved = _locked_pairing(pairing)
    side = _side(saved, enrolment)
    if saved.status != PairingStatus.PROPOSED:
        raise DomainError(_("This pairing is no longer waiting for an answer."))
    _enrolled_now(getattr(saved, side))
    now = clock.now()
    changes: dict[str, Any] = {f"{side}_agreed_at": getattr(saved, f"{side}_agreed_at") or now}
    other_side = "second" if side == "first" else "first"
    if getattr(saved, f"{other_side}_agreed_at") is not None:
        changes |= {"status": PairingStatus.ACTIVE, "started_at": now}
    saved = save_edit(saved, expected_version=saved.version, reason="Agreed to be partners", changes=changes)
    _audit_both(saved)
    return saved


@transaction.atomic
def decline_pairing(pairing: Pairing, enrolment: Enrolment) -> Pairing:
    """No, thank you: no reason asked, nothing said to the other beyond the pairing not going ahead."""
    saved = _locked_pairing(pairing)
    _side(saved, enrolment)
    if saved.status != PairingStatus.PROPOSED:
        raise DomainError(_("This pairing is no longer waiting for an answer."))
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Pairing not taken up",
        changes={"status": PairingStatus.DECLINED, "ended_at": clock.now(), "ended_by": enrolment},
    )
    _audit_both(saved)
    return saved


@transaction.atomic
def end_pairing(pairing: Pairing, *, enrolment: Enrolment | None = None, by: Any) -> Pairing:
    """Either partner (`enrolment`) or a facilitator ends the pairing, at any time, without giving a reason."""
    saved = _locked_pairing(pairing)
    if enrolment is not None:
        _side(saved, enrolment)
    else:
        checks.runs_cohort(saved.cohort, by)
    if saved.status not in OPEN_PAIRING:
        return saved  # ended already: ending again changes nothing
    return _end(saved, ended_by=enrolment)


def _end(pairing: Pairing, *, ended_by: Enrolment | None) -> Pairing:
    status = PairingStatus.ENDED if pairing.status == PairingStatus.ACTIVE else PairingStatus.DECLINED
    pairing = save_edit(
        pairing,
        expected_version=pairing.version,
        reason="Pairing ended",
        changes={"status": status, "ended_at": clock.now(), "ended_by": ended_by},
    )
    _audit_both(pairing)
    return pairing


def end_open_pairings(enrolment: Enrolment) -> None:
    """A member who leaves or finishes: their pairings end (used by the group services)."""
    open_ones = Pairing.objects.current().filter(Q(first=enrolment) | Q(second=enrolment), status__in=OPEN_PAIRING)
    for pairing in open_ones:
        _end(_locked_pairing(pairing), ended_by=None)


@transaction.atomic
def set_partner_shares(pairing: Pairing, enrolment: Enrolment, shares: list[str]) -> Pairing:
    """What this member shows their partner: nothing unless chosen (their action plan, their ladder progress)."""
    saved = _locked_pairing(pairing)
    side = _side(saved, enrolment)
    if saved.status not in OPEN_PAIRING:
        raise DomainError(_("This pairing has ended."))
    chosen = list(dict.fromkeys(checks.choice(share, "shares", PartnerShare) for share in shares))
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Sharing with the partner changed",
        changes={f"{side}_shares": chosen},
    )
    _audit(enrolment, Action.UPDATE, "group_pairing", saved.id)
    return saved


@transaction.atomic
def check_in(
    pairing: Pairing, enrolment: Enrolment, *, feeling: str, message: str = "", shared_with_facilitators: bool = False
) -> CheckIn:
    """This week's "how did it go?" to the partner: one per writer per week; a second one changes the first."""
    saved = _locked_pairing(pairing)
    _side(saved, enrolment)
    if saved.status != PairingStatus.ACTIVE:
        raise DomainError(_("Check-ins are for partners who both agreed, until the pairing ends."))
    checked = {
        "feeling": checks.choice(feeling, "feeling", CheckInFeeling),
        "message": checks.text(message, "message", limit=1000),
        "shared_with_facilitators": bool(shared_with_facilitators),
    }
    week = schedule.week_of(clock.local_date(clock.now(), enrolment.patient.time_zone))
    found: CheckIn | None = CheckIn.objects.current().filter(pairing=saved, by=enrolment, week_of=week).first()
    if found is None:
        try:
            with transaction.atomic():
                found = save_new(
                    CheckIn(
                        pairing=saved, by=enrolment, organisation_id=saved.organisation_id, week_of=week, **checked
                    ),
                    reason="Checked in",
                )
            _audit(enrolment, Action.CREATE, "group_check_in", found.id)
            return found
        except IntegrityError:  # sent twice at once: the second changes the first
            found = CheckIn.objects.current().get(pairing=saved, by=enrolment, week_of=week)
    found = save_edit(found, expected_version=found.version, reason="Check-in changed", changes=checked)
    _audit(enrolment, Action.UPDATE, "group_check_in", found.id)
    return found


# --- concerns -----------------------------------------------------------------------------------------------


def _facilitator_addresses(cohort: Cohort) -> list[str]:
    rows = CohortFacilitator.objects.filter(cohort=cohort, removed_at__isnull=True, user__is_active=True)
    return sorted({row.user.email for row in rows.select_related("user") if row.user.email})


@transaction.atomic
def raise_concern(enrolment: Enrolment, *, about: str, text: str) -> Concern:
    """A worry raised with the facilitators; they get a notice to sign in (no content, no name)."""
    _in_group(enrolment)
    concern = save_new(
        Concern(
            cohort=enrolment.cohort,
            organisation_id=enrolment.organisation_id,
            raised_by=enrolment,
            about=checks.choice(about, "about", ConcernAbout),
            text=checks.text(text, "text", limit=2000, required=True),
        ),
        reason="Concern raised",
    )
    _audit(enrolment, Action.CREATE, "group_concern", concern.id)
    url = f"{settings.SITE_URL.rstrip('/')}/clinician/groups/cohorts/{enrolment.cohort_id}/concerns/"
    for address in _facilitator_addresses(enrolment.cohort):
        send_email(
            to=address,
            subject=_("A group member raised a concern"),
            template="groups/email/concern_raised.txt",
            context={"url": url},
        )
    return concern


@transaction.atomic
def answer_concern(concern: Concern, *, answer: str, by: Any) -> Concern:
    """The facilitator's answer; the member gets a notice to sign in (no content)."""
    checks.runs_cohort(concern.cohort, by)
    saved: Concern = (
        Concern.objects.select_for_update(of=("self",)).select_related("raised_by__patient__user").get(pk=concern.pk)
    )
    if saved.status == ConcernStatus.ANSWERED:
        raise DomainError(_("This concern has been answered already; the member sees that answer."))
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Concern answered",
        changes={
            "answer": checks.text(answer, "answer", limit=2000, required=True),
            "status": ConcernStatus.ANSWERED,
            "answered_by": by,
            "answered_at": clock.now(),
        },
    )
    _audit(saved.raised_by, Action.UPDATE, "group_concern", saved.id)
    user = saved.raised_by.patient.user
    if user is not None and user.is_active and user.email:
        with translation.override(saved.raised_by.patient.preferred_language or None):
            send_email(
                to=user.email,
                subject=_("Your group's facilitators have answered"),
                template="groups/email/concern_answered.txt",
                context={"url": f"{settings.SITE_URL.rstrip('/')}/portal/groups/"},
            )
    return saved


# --- the board ----------------------------------------------------------------------------------------------


@transaction.atomic
def post_small_win(enrolment: Enrolment, *, text: str) -> BoardPost:
    """A small win the member chooses to share with the group (only what they write here is shown). The same
    words sent again within two minutes (a double click) are not posted twice: the first post is returned."""
    _enrolled_now(enrolment)
    words = checks.text(text, "text", limit=2000, required=True)
    # The member's row is locked so two submissions at once see each other.
    Enrolment.objects.select_for_update(of=("self",)).filter(pk=enrolment.pk).first()
    twin: BoardPost | None = (
        BoardPost.objects.current()
        .filter(
            author_enrolment=enrolment,
            kind=PostKind.SMALL_WIN,
            text=words,
            # created_at is stamped with the real time (never a pinned clock), so the window is too.
            created_at__gte=timezone.now() - SAME_POST_WITHIN,
        )
        .order_by("created_at")
        .first()
    )
    if twin is not None:
        return twin
    post = save_new(
        BoardPost(
            cohort=enrolment.cohort,
            organisation_id=enrolment.organisation_id,
            kind=PostKind.SMALL_WIN,
            author_enrolment=enrolment,
            author=_patient_user(enrolment),
            text=words,
        ),
        reason="Small win shared",
    )
    _audit(enrolment, Action.CREATE, "group_post", post.id)
    return post


@transaction.atomic
def post_to_board(
    cohort: Cohort, *, kind: str, text: str, link: str = "", library_item: str = "", by: Any
) -> BoardPost:
    """The facilitators' announcement or material (a link or a library item)."""
    from commonground.careplans import library

    checks.runs_cohort(cohort, by)
    checks.not_over(cohort)
    kind = checks.choice(kind, "kind", FACILITATOR_POSTS)
    link = checks.text(link, "link", limit=200)
    if link and not link.startswith(("https://", "http://")):
        raise DomainError(_("Give the full link, starting with https://."), field="link")
    slug = checks.text(library_item, "library_item", limit=60)
    if slug and library.item(slug) is None:
        raise DomainError(_("Choose an item from the library."), field="library_item")
    return save_new(
        BoardPost(
            cohort=cohort,
            organisation_id=cohort.organisation_id,
            kind=kind,
            author=by,
            text=checks.text(text, "text", limit=2000, required=True),
            link=link,
            library_item=slug,
        ),
        reason="Posted to the board",
    )


@transaction.atomic
def hide_post(post: BoardPost, *, reason: str, by: Any) -> BoardPost:
    """A facilitator hides a post from the members, with a reason kept for the record."""
    checks.runs_cohort(post.cohort, by)
    why = checks.reason(reason, _("Say why the post is hidden."))
    saved: BoardPost = BoardPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
    if saved.status != PostStatus.SHOWN:
        return saved
    return save_edit(
        saved,
        expected_version=saved.version,
        reason=why,
        changes={"status": PostStatus.HIDDEN, "hidden_by": by, "hidden_reason": why},
    )


@transaction.atomic
def take_down_post(post: BoardPost, enrolment: Enrolment) -> BoardPost:
    """The author takes their own small win down."""
    saved: BoardPost = BoardPost.objects.select_for_update(of=("self",)).get(pk=post.pk)
    if saved.author_enrolment_id != enrolment.pk:
        raise DomainError(_("You can only take down your own posts."))
    if saved.status == PostStatus.WITHDRAWN:
        return saved
    saved = save_edit(
        saved,
        expected_version=saved.version,
        reason="Taken down by its author",
        changes={"status": PostStatus.WITHDRAWN},
    )
    _audit(enrolment, Action.UPDATE, "group_post", saved.id)
    return saved
