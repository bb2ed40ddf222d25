"""Group programmes: the curriculum (Programme, CurriculumSession), its runs (Cohort) with their facilitators,
members (Enrolment), sessions and attendance, home practice given to the whole group, personal action plans,
peer partners and their weekly check-ins, the group board and concerns raised with the facilitators.

Privacy between members is the rule of this domain: a member is shown to the others only by `shown_name`; a
member's clinical data never leaves the member and their care team, and the cohort's facilitators reach it
only through the gateway's `group_facilitator` relationship (apps.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonground.groups.choices import (
    Attendance,
    CheckInFeeling,
    CohortStatus,
    ConcernAbout,
    ConcernStatus,
    EnrolmentSource,
    EnrolmentStatus,
    PairingOrigin,
    PairingStatus,
    PostKind,
    PostStatus,
    SessionStatus,
    ShownName,
)
from commonground.kit.models import BaseModel, ClinicalRecord
from commonground.patients.models import Patient


class Programme(ClinicalRecord):
    """A curriculum template: so many sessions of so many minutes, one every `days_between` days, and the
    questionnaires asked before and after. Facilitators and coordinators edit it; a cohort copies its sessions
    when it is made, so later edits never rewrite a run already planned."""

    name = models.CharField(_("name"), max_length=120)
    summary = models.TextField(_("what members can expect"), max_length=2000, blank=True)
    session_minutes = models.PositiveSmallIntegerField(_("minutes per session"), default=90)
    days_between = models.PositiveSmallIntegerField(_("days between sessions"), default=7)
    # Instrument ids (measures/instruments/*.json) compared before and after: e.g. ["phq15", "wsas"].
    instruments = models.JSONField(_("questionnaires before and after"), default=list, blank=True)
    # A member who attended at least this many sessions completed the programme; 0 means half, rounded up.
    sessions_to_complete = models.PositiveSmallIntegerField(_("sessions attended to complete"), default=0)
    active = models.BooleanField(_("in use"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CurriculumSession(ClinicalRecord):
    """One session of a programme: a psychoeducation topic, a skill to practise, home practice."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session"))
    title = models.CharField(_("title"), max_length=120)
    topic = models.TextField(_("psychoeducation topic"), max_length=2000, blank=True)
    skill = models.CharField(_("skill to practise"), max_length=200, blank=True)
    home_practice = models.CharField(_("home practice"), max_length=200, blank=True)
    home_practice_how = models.TextField(_("how to practise at home"), max_length=2000, blank=True)
    # A slug of the exercise and psychoeducation library (careplans/library), shown to members as material.
    library_item = models.CharField(_("from the library"), max_length=60, blank=True)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"],
                condition=Q(record_status="active"),
                name="groups_one_curriculum_session_per_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Cohort(ClinicalRecord):
    """One run of a programme. `places_taken` counts enrolled members and is changed only by a conditional
    UPDATE (`places_taken < capacity`), so two coordinators booking the last place cannot both succeed."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(_("name"), max_length=120)
    status = models.CharField(_("status"), max_length=10, choices=CohortStatus.choices, default=CohortStatus.PLANNED)
    capacity = models.PositiveSmallIntegerField(_("places"))
    places_taken = models.PositiveSmallIntegerField(default=0)
    starts_on = models.DateField(_("first session"))
    session_time = models.TimeField(_("time of day"))
    session_minutes = models.PositiveSmallIntegerField(_("minutes per session"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "name"]
        indexes = [models.Index(fields=["organisation", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(places_taken__lte=models.F("capacity")), name="groups_cohort_not_over_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="groups_cohort_has_a_place"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortFacilitator(BaseModel):
    """A facilitator of a cohort, from `added_at` until `removed_at`."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="facilitators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_cohorts")
    added_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"], condition=Q(removed_at__isnull=True), name="groups_facilitator_once"
            )
        ]


class Enrolment(ClinicalRecord):
    """A patient's place in a cohort, or their place on its waiting list.

    `consent` is the patient's consent to take part (patients.Consent, scope group_participation, reference the
    cohort id); `shown_name` and `chosen_name` are what other members see of them (first name by default).
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="group_enrolments")
    status = models.CharField(_("status"), max_length=10, choices=EnrolmentStatus.choices)
    source = models.CharField(_("how they came"), max_length=10, choices=EnrolmentSource.choices)
    referral_id = models.UUIDField(null=True, blank=True)
    consent = models.ForeignKey("patients.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    shown_name = models.CharField(
        _("what other members see"), max_length=12, choices=ShownName.choices, default=ShownName.FIRST_NAME
    )
    chosen_name = models.CharField(_("the name I choose"), max_length=40, blank=True)
    wants_partner = models.BooleanField(_("I would like a peer partner"), default=False)
    waiting_since = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("reason"), max_length=300, blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["patient", "status"]), models.Index(fields=["cohort", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "patient"],
                condition=Q(status__in=["waiting", "enrolled"], record_status="active"),
                name="groups_one_open_enrolment_per_cohort",
            )
        ]


class GroupSession(ClinicalRecord):
    """One meeting of a cohort. Topic and skill are copied from the curriculum and may be changed for this run.
    `note` is the facilitator's note about the session as a whole (no member named in it: notes about a member
    are clinical notes of that member, linked by MemberNote)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session"))
    curriculum_session = models.ForeignKey(
        CurriculumSession, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    topic = models.TextField(_("psychoeducation topic"), max_length=2000, blank=True)
    skill = models.CharField(_("skill to practise"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    place = models.CharField(_("place"), max_length=300, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)
    skills_practised = models.CharField(_("skills practised"), max_length=400, blank=True)
    note = models.TextField(_("note about the session"), max_length=4000, blank=True)
    rescheduled_from = models.DateTimeField(null=True, blank=True)
    reschedule_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["cohort", "number"]
        indexes = [models.Index(fields=["cohort", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class AttendanceRecord(ClinicalRecord):
    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], condition=Q(record_status="active"), name="groups_attendance_once"
            )
        ]


class MemberNote(BaseModel):
    """A facilitator's note about one member in one session: the note itself is a clinical note of the member
    (notes.Note, kind group), written and language-checked by `notes.services.write_note`."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="member_notes")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="member_notes")
    note = models.OneToOneField("notes.Note", on_delete=models.PROTECT, related_name="+")


class SessionPractice(BaseModel):
    """Home practice given to the whole group at a session. Each member's copy is a careplans.HomePractice, so it
    appears in their diary and on their Today page; PracticeCopy links the two."""

    session = models.ForeignKey(GroupSession, on_delete=models.PROTECT, related_name="practice")
    title = models.CharField(_("what to practise"), max_length=200)
    instructions = models.TextField(_("how"), max_length=2000, blank=True)
    how_often = models.CharField(_("how often"), max_length=120, blank=True)
    library_item = models.CharField(_("from the library"), max_length=60, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")


class PracticeCopy(BaseModel):
    practice = models.ForeignKey(SessionPractice, on_delete=models.PROTECT, related_name="copies")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    home_practice = models.ForeignKey("careplans.HomePractice", on_delete=models.PROTECT, related_name="+")


class ActionPlan(ClinicalRecord):
    """A member's personal action plan for the programme: their own achievable steps. Private unless they
    share it with the group (`shared_with_group`) or their partner (Pairing shares)."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="action_plan")
    shared_with_group = models.BooleanField(_("share my plan with the group"), default=False)


class ActionStep(ClinicalRecord):
    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("what I will do"), max_length=300)
    when = models.CharField(_("when"), max_length=120, blank=True)
    # The member's own goal or ladder rung this step works towards (goals.Goal / goals.Milestone ids).
    goal_id = models.UUIDField(null=True, blank=True)
    milestone_id = models.UUIDField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position", "created_at"]


class Pairing(ClinicalRecord):
    """Two members of one cohort as peer partners. Active only once both agreed; either may end it at any time,
    without a reason. Each side chooses what the other sees (`first_shares`, `second_shares`: PartnerShare
    values); check-ins go to the partner, and to the facilitators only when their writer says so."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="pairings")
    first = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=12, choices=PairingOrigin.choices)
    status = models.CharField(max_length=10, choices=PairingStatus.choices, default=PairingStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    first_agreed_at = models.DateTimeField(null=True, blank=True)
    second_agreed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    first_shares = models.JSONField(default=list, blank=True)
    second_shares = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cohort", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(first=models.F("second")), name="groups_pairing_two_people"),
        ]


class CheckIn(ClinicalRecord):
    """One partner's weekly "how did it go?" to the other. One per writer per week (Monday's date)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="check_ins")
    by = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    week_of = models.DateField()
    feeling = models.CharField(_("how did it go?"), max_length=10, choices=CheckInFeeling.choices)
    message = models.TextField(_("a word for your partner"), max_length=1000, blank=True)
    shared_with_facilitators = models.BooleanField(_("the facilitators may read this too"), default=False)

    class Meta:
        ordering = ["-week_of", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "by", "week_of"], condition=Q(record_status="active"), name="groups_check_in_weekly"
            )
        ]


class BoardPost(ClinicalRecord):
    """The group board: small wins members choose to share, the facilitators' announcements and materials.
    Facilitators moderate: a hidden post keeps its reason; an author may take their own post down."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="posts")
    kind = models.CharField(max_length=12, choices=PostKind.choices)
    author_enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"), max_length=2000)
    link = models.URLField(_("link"), blank=True)
    library_item = models.CharField(_("from the library"), max_length=60, blank=True)
    status = models.CharField(max_length=10, choices=PostStatus.choices, default=PostStatus.SHOWN)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cohort", "status", "created_at"])]


class Concern(ClinicalRecord):
    """A concern a member raises with the facilitators (about their partner, the group, anything)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="concerns")
    raised_by = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    about = models.CharField(_("about"), max_length=10, choices=ConcernAbout.choices)
    text = models.TextField(_("what worries you"), max_length=2000)
    status = models.CharField(max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class CheckInPrompt(BaseModel):
    """A gentle check-in prompt sent to one partner for one week: the unique constraint makes it once a week,
    whoever runs the job (groups/tasks.py)."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="+")
    week_of = models.DateField()
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pairing", "enrolment", "week_of"], name="groups_one_prompt_a_week")
        ]
