"""URLs of the staff's group pages (kept apart so the chart shell's urls.py stays short).

No patient id appears in a group's URLs: a member is reached by their enrolment in the cohort, and the member
page opens the patient through the gateway. The chart's Groups tab is the only patient route here.
"""

from django.urls import URLPattern, path

from commonground.clinician import groups_member_views as member_views
from commonground.clinician import groups_partner_views as partner_views
from commonground.clinician import groups_session_views as session_views
from commonground.clinician import groups_views as views

PROGRAMME = "groups/programmes/<uuid:programme_id>/"
COHORT = "groups/cohorts/<uuid:cohort_id>/"
MEMBER = COHORT + "members/<uuid:enrolment_id>/"
SESSION = COHORT + "sessions/<uuid:session_id>/"
TAB = "patients/<uuid:patient_id>/groups/"

urlpatterns: list[URLPattern] = [
    path("groups/", views.groups_home, name="groups"),
    path("groups/programmes/", views.programmes, name="group_programmes"),
    path("groups/programmes/new/", views.new_programme, name="new_group_programme"),
    path(PROGRAMME, views.edit_programme, name="group_programme"),
    path(PROGRAMME + "sessions/<int:number>/", views.curriculum_session, name="group_curriculum_session"),
    path(PROGRAMME + "cohorts/new/", views.new_cohort, name="new_cohort"),
    path(COHORT, views.cohort, name="cohort"),
    path(COHORT + "edit/", views.edit_cohort, name="edit_cohort"),
    path(COHORT + "status/", views.cohort_status, name="cohort_status"),
    path(COHORT + "finish/", views.cohort_finish, name="cohort_finish"),
    path(COHORT + "cancel/", views.cohort_cancel, name="cohort_cancel"),
    path(COHORT + "facilitators/add/", views.add_facilitator, name="add_cohort_facilitator"),
    path(COHORT + "facilitators/remove/", views.remove_facilitator, name="remove_cohort_facilitator"),
    path(COHORT + "members/", member_views.members, name="cohort_members"),
    path(COHORT + "members/enrol/", member_views.enrol, name="cohort_enrol"),
    path(MEMBER, member_views.member, name="cohort_member"),
    path(MEMBER + "offer/", member_views.offer_place, name="cohort_offer_place"),
    path(MEMBER + "withdraw/", member_views.withdraw, name="cohort_withdraw"),
    path(SESSION, session_views.session, name="group_session"),
    path(SESSION + "attendance/", session_views.attendance, name="group_attendance"),
    path(SESSION + "note/", session_views.session_note, name="group_session_note"),
    path(SESSION + "member-note/", session_views.member_note, name="group_member_note"),
    path(SESSION + "member-note/change/", session_views.change_member_note, name="group_change_member_note"),
    path(SESSION + "member-note/error/", session_views.member_note_in_error, name="group_member_note_in_error"),
    path(SESSION + "practice/", session_views.session_practice, name="group_session_practice"),
    path(SESSION + "reschedule/", session_views.reschedule, name="group_reschedule"),
    path(SESSION + "cancel/", session_views.cancel_session, name="group_cancel_session"),
    path(COHORT + "partners/", partner_views.partners, name="cohort_partners"),
    path(COHORT + "partners/propose/", partner_views.propose_pairing, name="cohort_propose_pairing"),
    path(COHORT + "partners/<uuid:pairing_id>/end/", partner_views.end_pairing, name="cohort_end_pairing"),
    path(COHORT + "board/", partner_views.board, name="cohort_board"),
    path(COHORT + "board/post/", partner_views.post_to_board, name="cohort_post"),
    path(COHORT + "board/<uuid:post_id>/hide/", partner_views.hide_post, name="cohort_hide_post"),
    path(COHORT + "concerns/", partner_views.concerns, name="cohort_concerns"),
    path(COHORT + "concerns/<uuid:concern_id>/answer/", partner_views.answer_concern, name="cohort_answer_concern"),
    path(COHORT + "outcomes/", partner_views.outcomes, name="cohort_outcomes"),
    path(TAB, member_views.patient_groups, name="patient_groups"),
    path(TAB + "offer/", member_views.offer_group_place, name="offer_group_place"),
]
