"""URLs of the member's group pages, under /portal/groups/. No patient id in any of them: the member is the
signed-in patient, and a group they are not a member of is not found."""

from django.urls import URLPattern, path

from commonground.portal import groups_views as views

G = "groups/<uuid:cohort_id>/"

urlpatterns: list[URLPattern] = [
    path("groups/", views.my_groups, name="groups"),
    path("groups/next-session/", views.next_session_line, name="group_next_session"),
    path(G, views.group, name="group"),
    path(G + "materials/", views.materials, name="group_materials"),
    path(G + "board/", views.board, name="group_board"),
    path(G + "board/<uuid:post_id>/take-down/", views.take_down, name="group_take_down"),
    path(G + "shared-plans/", views.shared_plans, name="group_shared_plans"),
    path(G + "my-choices/", views.my_choices, name="group_choices"),
    path(G + "my-plan/", views.my_action_plan, name="group_plan"),
    path(G + "my-plan/share/", views.share_plan, name="group_share_plan"),
    path(G + "my-plan/steps/<uuid:step_id>/", views.step_edit, name="group_step_edit"),
    path(G + "my-plan/steps/<uuid:step_id>/done/", views.step_done, name="group_step_done"),
    path(G + "my-plan/steps/<uuid:step_id>/not-done/", views.step_not_done, name="group_step_not_done"),
    path(G + "my-plan/steps/<uuid:step_id>/remove/", views.step_remove, name="group_step_remove"),
    path(G + "partner/", views.partner, name="group_partner"),
    path(G + "partner/ask/<uuid:enrolment_id>/", views.ask_partner, name="group_ask_partner"),
    path(G + "partner/agree/", views.agree_partner, name="group_agree_partner"),
    path(G + "partner/decline/", views.decline_partner, name="group_decline_partner"),
    path(G + "partner/shares/", views.partner_shares, name="group_partner_shares"),
    path(G + "partner/check-in/", views.check_in, name="group_check_in"),
    path(G + "partner/end/", views.end_partnership, name="group_end_partner"),
    path(G + "concerns/", views.concerns, name="group_concerns"),
]
