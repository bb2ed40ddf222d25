"""Reads of the groups domain, for the facilitator's pages, the care team's chart tab and the member portal.

Privacy between members: the selectors meant for members (`fellow_members`, `shared_plans`, `partner_view`,
`board(for_facilitator=False)`, `partner_candidates`) return other members only by shown name (groups/names.py)
and only what each member chose to share; never a family name, record number, patient id, score, diary or
goal unless shared. Facilitators see whether partners check in (counts per week), not what they wrote unless
its writer shared it with them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.db.models import Count, Q, QuerySet

from commonground.accounts.choices import CLINICAL_ROLES, AccountKind, Role
from commonground.goals.choices import RungState, RungStatus
from commonground.goals.models import Goal, Milestone
from commonground.groups import outcomes, schedule
from commonground.groups.checks import PROGRAMME_KEEPERS, as_uuid
from commonground.groups.choices import (
    MEMBER_STATUSES,
    CheckInFeeling,
    CohortStatus,
    ConcernStatus,
    EnrolmentStatus,
    PairingStatus,
    PartnerShare,
    PostKind,
    PostStatus,
    SessionStatus,
    ShownName,
)
from commonground.groups.members import OPEN_PAIRING
from commonground.groups.models import (
    ActionPlan,
    ActionStep,
    AttendanceRecord,
    BoardPost,
    CheckIn,
    Cohort,
    CohortFacilitator,
    Concern,
    CurriculumSession,
    Enrolment,
    GroupSession,
    MemberNote,
    Pairing,
    PracticeCopy,
    Programme,
    SessionPractice,
)
from commonground.groups.names import shown_name, tell_apart
from commonground.kit import clock
from commonground.patients.models import Patient

if TYPE_CHECKING:
    from commonground.groups.results import CohortOutcomes, MemberOutcome

ROSTER_STATUSES = (EnrolmentStatus.ENROLLED, EnrolmentStatus.FINISHED, EnrolmentStatus.WITHDRAWN)


def _is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.kind == AccountKind.STAFF)


def plain_name_of(enrolment: Enrolment) -> str:
    """The member's shown name by their own choice, before it is told apart from another member's."""
    patient = enrolment.patient
    return shown_name(
        patient.preferred_name or patient.given_name, patient.family_name, enrolment.shown_name, enrolment.chosen_name
    )


def first_name_of(enrolment: Enrolment) -> str:
    patient = enrolment.patient
    return shown_name(patient.preferred_name or patient.given_name, "", ShownName.FIRST_NAME, "")


def names_in(cohort_id: Any) -> dict[UUID, str]:
    """Every enrolment's shown name in the group, told apart: a member going by the same first name as one who
    joined earlier is numbered ("Emma (2)"); nothing of a family name is shown."""
    rows = list(
        Enrolment.objects.current().filter(cohort_id=cohort_id).select_related("patient").order_by("created_at")
    )
    names: dict[object, tuple[str, bool]] = {
        row.id: (plain_name_of(row), plain_name_of(row) == first_name_of(row)) for row in rows
    }
    members = {row.id for row in rows if row.status in MEMBER_STATUSES}
    told = tell_apart(names, members)
    return {key: value for key, value in told.items() if isinstance(key, UUID)}


def name_of(enrolment: Enrolment, names: dict[UUID, str] | None = None) -> str:
    """What other members see of this member: their shown name, told apart from another member's."""
    found = (names if names is not None else names_in(enrolment.cohort_id)).get(enrolment.id)
    return found if found is not None else plain_name_of(enrolment)


# --- staff: cohorts and programmes --------------------------------------------------------------------------


def _visible_cohorts(user: Any) -> QuerySet[Cohort]:
    if not _is_staff(user):
        return Cohort.objects.none()
    found = Cohort.objects.current().filter(organisation_id=user.organisation_id)
    if user.role == Role.CARE_COORDINATOR:
        return found
    if user.role not in CLINICAL_ROLES:
        return Cohort.objects.none()
    return found.filter(facilitators__user_id=user.id, facilitators__removed_at__isnull=True).distinct()


def cohort_for_staff(user: Any, cohort_id: UUID | str) -> Cohort | None:
    """A cohort of the user's clinic they facilitate now, or any of the clinic's for a care coordinator."""
    parsed = as_uuid(cohort_id)
    if parsed is None:
        return None
    found: Cohort | None = _visible_cohorts(user).filter(pk=parsed).select_related("programme", "organisation").first()
    return found


def cohorts_for_staff(user: Any) -> list[Cohort]:
    return list(_visible_cohorts(user).select_related("programme").order_by("-starts_on", "name"))


def is_facilitator_of_cohort(user: Any, cohort: Cohort) -> bool:
    return CohortFacilitator.objects.filter(cohort=cohort, user_id=user.id, removed_at__isnull=True).exists()


def facilitators_of(cohort: Cohort) -> list[Any]:
    rows = CohortFacilitator.objects.filter(cohort=cohort, removed_at__isnull=True).select_related("user")
    return [row.user for row in rows.order_by("added_at")]


def may_manage_programmes(user: Any) -> bool:
    return _is_staff(user) and user.role in PROGRAMME_KEEPERS


def programmes_of(organisation_id: Any, *, in_use_only: bool = False) -> list[Programme]:
    found = Programme.objects.current().filter(organisation_id=organisation_id)
    if in_use_only:
        found = found.filter(active=True)
    return list(found.order_by("name"))


def programme_for_staff(user: Any, programme_id: UUID | str) -> Programme | None:
    parsed = as_uuid(programme_id)
    if parsed is None or not may_manage_programmes(user):
        return None
    found: Programme | None = (
        Programme.objects.current().filter(pk=parsed, organisation_id=user.organisation_id).first()
    )
    return found


def curriculum_of(programme: Programme) -> list[CurriculumSession]:
    return list(CurriculumSession.objects.current().filter(programme=programme).order_by("number"))


# --- staff: members, sessions ---------------------------------------------------------------------------------


def roster(cohort: Cohort) -> list[Enrolment]:
    """Members with a place now, who finished, or who left: in the order they came (staff pages only)."""
    return list(
        Enrolment.objects.current()
        .filter(cohort=cohort, status__in=ROSTER_STATUSES)
        .select_related("patient")
        .order_by("enrolled_at", "created_at")
    )


def waiting_list(cohort: Cohort) -> list[Enrolment]:
    """Oldest first: the first to be offered a place is the one who has waited longest."""
    return list(
        Enrolment.objects.current()
        .filter(cohort=cohort, status=EnrolmentStatus.WAITING)
        .select_related("patient")
        .order_by("waiting_since", "created_at")
    )


def enrolment_for_staff(cohort: Cohort, enrolment_id: UUID | str) -> Enrolment | None:
    parsed = as_uuid(enrolment_id)
    if parsed is None:
        return None
    found: Enrolment | None = (
        Enrolment.objects.current().filter(cohort=cohort, pk=parsed).select_related("patient", "cohort").first()
    )
    return found


def sessions_of(cohort: Cohort) -> list[GroupSession]:
    return list(GroupSession.objects.current().filter(cohort=cohort).order_by("number"))


def session_for_staff(cohort: Cohort, session_id: UUID | str) -> GroupSession | None:
    parsed = as_uuid(session_id)
    if parsed is None:
        return None
    found: GroupSession | None = (
        GroupSession.objects.current().filter(cohort=cohort, pk=parsed).select_related("cohort").first()
    )
    return found


def next_session(cohort: Cohort) -> GroupSession | None:
    found: GroupSession | None = (
        GroupSession.objects.current()
        .filter(cohort=cohort, status=SessionStatus.SCHEDULED, starts_at__gte=clock.now() - timedelta(hours=3))
        .order_by("starts_at")
        .first()
    )
    return found


def members_at(session: GroupSession) -> list[Enrolment]:
    """Who was a member at this session: their place started on or before its start and they had not left by
    then (members who finished or left later count). The attendance form lists these."""
    return list(
        Enrolment.objects.current()
        .filter(
            cohort_id=session.cohort_id,
            status__in=(*MEMBER_STATUSES, EnrolmentStatus.WITHDRAWN),
            enrolled_at__isnull=False,
            enrolled_at__lte=session.starts_at,
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=session.starts_at))
        .select_related("patient")
        .order_by("enrolled_at", "created_at")
    )


def attendance_of(session: GroupSession) -> dict[UUID, str]:
    """enrolment id -> mark, for the attendance form."""
    rows = AttendanceRecord.objects.current().filter(session=session).values_list("enrolment_id", "status")
    return dict(rows)


def member_notes_of(session: GroupSession) -> list[MemberNote]:
    return list(
        MemberNote.objects.filter(session=session, note__record_status="active")
        .select_related("note", "enrolment__patient")
        .order_by("note__written_at")
    )


def practice_of(session: GroupSession) -> list[SessionPractice]:
    return list(SessionPractice.objects.filter(session=session).order_by("created_at"))


def group_practice(cohort: Cohort) -> list[SessionPractice]:
    """Home practice given to the whole group, newest first (each member's own copy is in their diary)."""
    return list(
        SessionPractice.objects.filter(session__cohort=cohort, session__record_status="active")
        .select_related("session")
        .order_by("-created_at")
    )


def practice_skipped(practice: SessionPractice) -> list[Enrolment]:
    """Enrolled members without their own copy of this practice (already practising it, or came later)."""
    given = PracticeCopy.objects.filter(practice=practice).values("enrolment_id")
    return list(
        Enrolment.objects.current()
        .filter(cohort_id=practice.session.cohort_id, status=EnrolmentStatus.ENROLLED)
        .exclude(pk__in=given)
        .select_related("patient")
        .order_by("created_at")
    )


@dataclass(frozen=True)
class GridRow:
    enrolment: Enrolment
    marks: list[str]  # one per session of `AttendanceGrid.sessions`, "" where nothing was recorded
    present: int
    marked: int
    rate: float | None


@dataclass(frozen=True)
class SessionRate:
    session: GroupSession
    present: int
    marked: int
    rate: float | None


@dataclass(frozen=True)
class AttendanceGrid:
    sessions: list[GroupSession]
    rows: list[GridRow]
    per_session: list[SessionRate]

    def mark(self, session_id: UUID, enrolment_id: UUID) -> str:
        index = next((i for i, s in enumerate(self.sessions) if s.id == session_id), None)
        row = next((r for r in self.rows if r.enrolment.id == enrolment_id), None)
        return "" if index is None or row is None else row.marks[index]


def attendance_grid(cohort: Cohort) -> AttendanceGrid:
    """Sessions x members (everyone who had a place), with rates per member and per session (outcomes.rate)."""
    sessions = sessions_of(cohort)
    members = roster(cohort)
    marks: dict[tuple[UUID, UUID], str] = {
        (session_id, enrolment_id): status
        for session_id, enrolment_id, status in AttendanceRecord.objects.current()
        .filter(session__cohort=cohort)
        .values_list("session_id", "enrolment_id", "status")
    }
    rows = []
    for member in members:
        own = [marks.get((session.id, member.id), "") for session in sessions]
        recorded = [mark for mark in own if mark]
        present = sum(1 for mark in recorded if mark == outcomes.PRESENT)
        rows.append(GridRow(member, own, present, len(recorded), outcomes.rate(present, len(recorded))))
    per_session = []
    for session in sessions:
        recorded = [marks[(session.id, m.id)] for m in members if (session.id, m.id) in marks]
        present = sum(1 for mark in recorded if mark == outcomes.PRESENT)
        per_session.append(SessionRate(session, present, len(recorded), outcomes.rate(present, len(recorded))))
    return AttendanceGrid(sessions=sessions, rows=rows, per_session=per_session)


# --- the chart tab and the portal -----------------------------------------------------------------------------


def enrolments_of_patient(patient: Patient) -> list[Enrolment]:
    """Every enrolment of the patient, newest group first (the care team's tab; the member's list)."""
    return list(
        Enrolment.objects.current()
        .filter(patient=patient, cohort__record_status="active")
        .select_related("cohort", "cohort__programme")
        .order_by("-cohort__starts_on", "-created_at")
    )


def open_cohorts_for_enrolment(organisation_id: Any) -> list[Cohort]:
    """Groups of the clinic that take members (planned or running), for "Offer a place"."""
    return list(
        Cohort.objects.current()
        .filter(organisation_id=organisation_id, status__in=(CohortStatus.PLANNED, CohortStatus.RUNNING))
        .select_related("programme")
        .order_by("starts_on", "name")
    )


def membership_for_patient(patient: Patient, cohort_id: UUID | str) -> Enrolment | None:
    """The patient's own membership of this group (enrolled or finished), or None (the page is then 404)."""
    parsed = as_uuid(cohort_id)
    if parsed is None:
        return None
    found: Enrolment | None = (
        Enrolment.objects.current()
        .filter(patient=patient, cohort_id=parsed, status__in=MEMBER_STATUSES, cohort__record_status="active")
        .select_related("cohort", "cohort__programme", "cohort__organisation", "patient")
        .order_by("-created_at")
        .first()
    )
    return found


@dataclass(frozen=True)
class SeenMember:
    """What a member sees of another member: nothing but a handle for links and the shown name."""

    enrolment_id: UUID
    shown_name: str

    @property
    def name(self) -> str:
        return self.shown_name


def _seen(rows: QuerySet[Enrolment]) -> list[SeenMember]:
    found = list(rows.select_related("patient"))
    names = names_in(found[0].cohort_id) if found else {}
    return [SeenMember(enrolment_id=e.id, shown_name=name_of(e, names)) for e in found]


def fellow_members(cohort: Cohort) -> list[SeenMember]:
    """The group's members as members see them (enrolled, or finished with the group)."""
    return _seen(Enrolment.objects.current().filter(cohort=cohort, status__in=MEMBER_STATUSES).order_by("enrolled_at"))


def partner_candidates(enrolment: Enrolment) -> list[SeenMember]:
    """Other enrolled members who would also like a partner and have none yet."""
    busy = Pairing.objects.current().filter(cohort_id=enrolment.cohort_id, status__in=OPEN_PAIRING)
    taken = {row for pair in busy.values_list("first_id", "second_id") for row in pair}
    rows = (
        Enrolment.objects.current()
        .filter(cohort_id=enrolment.cohort_id, status=EnrolmentStatus.ENROLLED, wants_partner=True)
        .exclude(pk=enrolment.pk)
        .exclude(pk__in=taken)
        .order_by("enrolled_at")
    )
    return _seen(rows)


def fellow_member(cohort: Cohort, enrolment_id: UUID | str) -> Enrolment | None:
    """Another member of the group (to ask to pair with): the enrolment, for the services only; pages show
    `name_of(...)` and nothing else of it."""
    parsed = as_uuid(enrolment_id)
    if parsed is None:
        return None
    found: Enrolment | None = (
        Enrolment.objects.current()
        .filter(cohort=cohort, pk=parsed, status=EnrolmentStatus.ENROLLED)
        .select_related("patient", "cohort")
        .first()
    )
    return found


@dataclass(frozen=True)
class SharedStep:
    text: str
    when: str
    done: bool


@dataclass(frozen=True)
class SharedPlan:
    enrolment_id: UUID
    shown_name: str
    steps: list[SharedStep]


def _shared_steps(plan_ids: list[Any]) -> dict[Any, list[SharedStep]]:
    steps: dict[Any, list[SharedStep]] = {}
    for step in ActionStep.objects.current().filter(plan_id__in=plan_ids).order_by("position", "created_at"):
        steps.setdefault(step.plan_id, []).append(SharedStep(step.text, step.when, step.done_at is not None))
    return steps


def shared_plans(cohort: Cohort, *, viewer: Enrolment | None = None) -> list[SharedPlan]:
    """Other members' action plans they shared with the group: their steps' words only (no goal, no rung)."""
    plans = list(
        ActionPlan.objects.current()
        .filter(enrolment__cohort=cohort, enrolment__status__in=MEMBER_STATUSES, shared_with_group=True)
        .select_related("enrolment__patient")
        .order_by("created_at")
    )
    if viewer is not None:
        plans = [plan for plan in plans if plan.enrolment_id != viewer.pk]
    steps = _shared_steps([plan.id for plan in plans])
    names = names_in(cohort.id)
    return [SharedPlan(plan.enrolment_id, name_of(plan.enrolment, names), steps.get(plan.id, [])) for plan in plans]


def action_plan_of(enrolment: Enrolment) -> ActionPlan | None:
    found: ActionPlan | None = ActionPlan.objects.current().filter(enrolment=enrolment).first()
    return found


def action_steps_of(enrolment: Enrolment) -> list[ActionStep]:
    """The member's own steps (for their own page and the care team)."""
    return list(ActionStep.objects.current().filter(plan__enrolment=enrolment).order_by("position", "created_at"))


def action_steps(plan: ActionPlan) -> list[ActionStep]:
    return list(ActionStep.objects.current().filter(plan=plan).order_by("position", "created_at"))


def action_step_of(enrolment: Enrolment, step_id: UUID | str) -> ActionStep | None:
    parsed = as_uuid(step_id)
    if parsed is None:
        return None
    found: ActionStep | None = ActionStep.objects.current().filter(plan__enrolment=enrolment, pk=parsed).first()
    return found


# --- partners -------------------------------------------------------------------------------------------------


def pairing_of(enrolment: Enrolment) -> Pairing | None:
    """The member's pairing waiting to be agreed, or active."""
    found: Pairing | None = (
        Pairing.objects.current()
        .filter(Q(first=enrolment) | Q(second=enrolment), status__in=OPEN_PAIRING)
        .select_related("first__patient", "second__patient")
        .order_by("-created_at")
        .first()
    )
    return found


def pairing_for_member(enrolment: Enrolment, pairing_id: UUID | str) -> Pairing | None:
    parsed = as_uuid(pairing_id)
    if parsed is None:
        return None
    found: Pairing | None = (
        Pairing.objects.current()
        .filter(Q(first=enrolment) | Q(second=enrolment), pk=parsed)
        .select_related("first__patient", "second__patient", "cohort")
        .first()
    )
    return found


def pairing_for_staff(cohort: Cohort, pairing_id: UUID | str) -> Pairing | None:
    parsed = as_uuid(pairing_id)
    if parsed is None:
        return None
    found: Pairing | None = (
        Pairing.objects.current()
        .filter(cohort=cohort, pk=parsed)
        .select_related("first__patient", "second__patient", "cohort")
        .first()
    )
    return found


@dataclass(frozen=True)
class SeenCheckIn:
    week_of: date
    mine: bool
    feeling: str
    feeling_label: str
    message: str
    by_id: UUID  # the writer's enrolment id
    shared_with_facilitators: bool


@dataclass(frozen=True)
class LadderProgress:
    """A goal's ladder as a partner sees it when shared: the steps reached and how many there are."""

    goal_title: str
    reached: list[str]
    steps: int


@dataclass(frozen=True)
class PartnerView:
    pairing_id: UUID  # an id, not the pairing: nothing here leads on to the partner's record
    status: str
    partner_name: str
    i_agreed: bool
    partner_agreed: bool
    my_shares: list[str]
    partner_shares: list[str]
    partner_steps: list[SharedStep] | None  # None: not shared with me
    partner_ladders: list[LadderProgress] | None  # None: not shared with me
    check_ins: list[SeenCheckIn]
    checked_in_this_week: bool
    partner_checked_in_this_week: bool
    week_of: date
    prompt: bool = field(default=False)  # a gentle nudge: from the week's 5th day, no check-in yet


def _ladders(patient: Patient) -> list[LadderProgress]:
    goals = list(Goal.objects.current().filter(patient=patient).exclude(status="ended").order_by("set_on"))
    rungs = (
        Milestone.objects.current().filter(goal__in=goals, status=RungStatus.ON_LADDER).order_by("goal_id", "position")
    )
    by_goal: dict[Any, list[Milestone]] = {}
    for rung in rungs:
        by_goal.setdefault(rung.goal_id, []).append(rung)
    return [
        LadderProgress(
            goal_title=goal.title,
            reached=[r.action for r in by_goal.get(goal.id, []) if r.state == RungState.DONE],
            steps=len(by_goal.get(goal.id, [])),
        )
        for goal in goals
        if by_goal.get(goal.id)
    ]


def partner_view(pairing: Pairing, viewer: Enrolment) -> PartnerView:
    """The viewer's pairing: their partner's shown name, only what the partner chose to share, and both
    partners' check-ins."""
    mine_first = pairing.first_id == viewer.pk
    if not mine_first and pairing.second_id != viewer.pk:
        raise LookupError("the viewer is not in this pairing")
    partner = pairing.second if mine_first else pairing.first
    my_shares = list(pairing.first_shares if mine_first else pairing.second_shares)
    partner_shares = list(pairing.second_shares if mine_first else pairing.first_shares)
    steps = None
    if PartnerShare.ACTION_PLAN in partner_shares:
        plan = action_plan_of(partner)
        steps = _shared_steps([plan.id]).get(plan.id, []) if plan is not None else []
    ladders = _ladders(partner.patient) if PartnerShare.LADDER_PROGRESS in partner_shares else None
    labels = dict(CheckInFeeling.choices)
    rows = list(CheckIn.objects.current().filter(pairing=pairing).order_by("-week_of", "created_at"))
    seen = [
        SeenCheckIn(
            week_of=row.week_of,
            mine=row.by_id == viewer.pk,
            feeling=row.feeling,
            feeling_label=str(labels.get(row.feeling, "")),
            message=row.message,
            by_id=row.by_id,
            shared_with_facilitators=row.shared_with_facilitators,
        )
        for row in rows
    ]
    today = clock.local_date(clock.now(), viewer.patient.time_zone)
    week = schedule.week_of(today)
    mine_now = any(c.mine and c.week_of == week for c in seen)
    active = pairing.status == PairingStatus.ACTIVE
    return PartnerView(
        pairing_id=pairing.id,
        status=pairing.status,
        partner_name=name_of(partner),
        i_agreed=(pairing.first_agreed_at if mine_first else pairing.second_agreed_at) is not None,
        partner_agreed=(pairing.second_agreed_at if mine_first else pairing.first_agreed_at) is not None,
        my_shares=my_shares,
        partner_shares=partner_shares,
        partner_steps=steps,
        partner_ladders=ladders,
        check_ins=seen,
        checked_in_this_week=mine_now,
        partner_checked_in_this_week=any(not c.mine and c.week_of == week for c in seen),
        week_of=week,
        prompt=active and not mine_now and schedule.prompt_due(today),
    )


@dataclass(frozen=True)
class WeekCount:
    week_of: date
    check_ins: int


@dataclass(frozen=True)
class SharedCheckIn:
    """A check-in its writer chose to share with the facilitators."""

    week_of: date
    writer: str  # the writer's name as the facilitators know them
    feeling: str
    feeling_label: str
    message: str


@dataclass(frozen=True)
class PairingActivity:
    pairing: Pairing
    first_name: str
    second_name: str
    status: str
    weeks: list[WeekCount]
    total: int
    shared: list[SharedCheckIn]


def pairings_for_facilitator(cohort: Cohort) -> list[PairingActivity]:
    """Per pairing: its status, how many check-ins there were each week (counts only), and the check-ins their
    writers chose to share with the facilitators. Nothing else of what partners write to each other."""
    pairings = list(
        Pairing.objects.current()
        .filter(cohort=cohort)
        .select_related("first__patient", "second__patient")
        .order_by("-created_at")
    )
    counts: dict[Any, list[WeekCount]] = {}
    for row in (
        CheckIn.objects.current()
        .filter(pairing__in=pairings)
        .values("pairing_id", "week_of")
        .annotate(n=Count("id"))
        .order_by("pairing_id", "-week_of")
    ):
        counts.setdefault(row["pairing_id"], []).append(WeekCount(row["week_of"], row["n"]))
    labels = dict(CheckInFeeling.choices)
    shared: dict[Any, list[SharedCheckIn]] = {}
    names = {p.first_id: p.first.patient.display_name for p in pairings} | {
        p.second_id: p.second.patient.display_name for p in pairings
    }
    for row in (
        CheckIn.objects.current()
        .filter(pairing__in=pairings, shared_with_facilitators=True)
        .only("pairing_id", "by_id", "week_of", "feeling", "message")
        .order_by("-week_of", "created_at")
    ):
        shared.setdefault(row.pairing_id, []).append(
            SharedCheckIn(
                row.week_of, names.get(row.by_id, ""), row.feeling, str(labels.get(row.feeling, "")), row.message
            )
        )
    return [
        PairingActivity(
            pairing=p,
            first_name=p.first.patient.display_name,
            second_name=p.second.patient.display_name,
            status=p.status,
            weeks=counts.get(p.id, []),
            total=sum(w.check_ins for w in counts.get(p.id, [])),
            shared=shared.get(p.id, []),
        )
        for p in pairings
    ]


# --- board and concerns ---------------------------------------------------------------------------------------


def board(cohort: Cohort, *, for_facilitator: bool) -> list[BoardPost]:
    """Newest first. Members see posts shown, and small wins only of those still in the group (a member who left
    takes their posts with them); facilitators also see the ones they hid. Each post carries `shown_author`:
    the member's shown name for a small win, else the facilitator's name."""
    statuses = (PostStatus.SHOWN, PostStatus.HIDDEN) if for_facilitator else (PostStatus.SHOWN,)
    found = BoardPost.objects.current().filter(cohort=cohort, status__in=statuses)
    if not for_facilitator:
        found = found.filter(Q(author_enrolment__isnull=True) | Q(author_enrolment__status__in=MEMBER_STATUSES))
    posts = list(found.select_related("author_enrolment__patient", "author").order_by("-created_at"))
    names = names_in(cohort.id)
    for post in posts:
        author = (
            name_of(post.author_enrolment, names) if post.author_enrolment is not None else post.author.display_name
        )
        setattr(post, "shown_author", author)  # noqa: B010 (a plain attribute for the page)
    return posts


def materials(cohort: Cohort) -> list[BoardPost]:
    return [post for post in board(cohort, for_facilitator=False) if post.kind == PostKind.MATERIAL]


def post_for_staff(cohort: Cohort, post_id: UUID | str) -> BoardPost | None:
    parsed = as_uuid(post_id)
    if parsed is None:
        return None
    found: BoardPost | None = BoardPost.objects.current().filter(cohort=cohort, pk=parsed).first()
    return found


def post_for_member(enrolment: Enrolment, post_id: UUID | str) -> BoardPost | None:
    """One of the member's own posts (to take down)."""
    parsed = as_uuid(post_id)
    if parsed is None:
        return None
    found: BoardPost | None = BoardPost.objects.current().filter(author_enrolment=enrolment, pk=parsed).first()
    return found


def concerns(cohort: Cohort, *, open_only: bool = False) -> list[Concern]:
    found = Concern.objects.current().filter(cohort=cohort)
    if open_only:
        found = found.filter(status=ConcernStatus.OPEN)
    return list(found.select_related("raised_by__patient", "answered_by").order_by("-created_at"))


def concern_for_staff(cohort: Cohort, concern_id: UUID | str) -> Concern | None:
    parsed = as_uuid(concern_id)
    if parsed is None:
        return None
    found: Concern | None = Concern.objects.current().filter(cohort=cohort, pk=parsed).first()
    return found


def concerns_of(enrolment: Enrolment) -> list[Concern]:
    """The concerns this member raised, with the facilitators' answers."""
    return list(Concern.objects.current().filter(raised_by=enrolment).order_by("-created_at"))


def plans_shared_with_group(cohort: Cohort) -> list[SharedPlan]:
    """Same as `shared_plans(cohort)`: every plan shared with the group, the viewer's own included."""
    return shared_plans(cohort)


# --- outcomes (groups/results.py) ----------------------------------------------------------------------------


def cohort_outcomes(cohort: Cohort) -> CohortOutcomes:
    """Attendance, drop-out, completion, before/after per questionnaire with reliable-change counts and goal
    attainment at the end (groups/results.py; the rules are in groups/outcomes.py)."""
    from commonground.groups import results

    return results.cohort_outcomes(cohort)


def member_outcome(enrolment: Enrolment) -> MemberOutcome:
    """One member's attendance, completion, before/after per questionnaire and goal attainment at the end."""
    from commonground.groups import results

    return results.member_outcome(enrolment)


# --- the gateway relationship ---------------------------------------------------------------------------------


def _facilitated_enrolments(user: Any) -> QuerySet[Enrolment]:
    if not _is_staff(user) or user.role not in CLINICAL_ROLES:
        return Enrolment.objects.none()
    return Enrolment.objects.current().filter(
        status__in=MEMBER_STATUSES,
        cohort__organisation_id=user.organisation_id,
        cohort__record_status="active",
        cohort__facilitators__user_id=user.id,
        cohort__facilitators__removed_at__isnull=True,
    )


def is_facilitator_of_patient(user: Any, patient_id: Any) -> bool:
    """A current facilitator of a group in which the patient is (or was, to the end) a member."""
    return bool(_facilitated_enrolments(user).filter(patient_id=patient_id).exists())


def patients_of_facilitator(user: Any) -> QuerySet[Any]:
    return _facilitated_enrolments(user).values("patient_id")
