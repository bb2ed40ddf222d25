"""URLs of the clinician's referrals pages (kept apart so the chart shell's urls.py stays short)."""

from django.urls import URLPattern, path

from commonground.clinician import referrals_views as views

TAB = "patients/<uuid:patient_id>/referrals/"
ONE = TAB + "<uuid:referral_id>/"

urlpatterns: list[URLPattern] = [
    path(TAB, views.referrals, name="referrals"),
    path(TAB + "new/", views.new_referral, name="new_referral"),
    path(TAB + "incoming/", views.new_incoming_referral, name="new_incoming_referral"),
    path(ONE + "edit/", views.edit_referral, name="edit_referral"),
    path(ONE + "move/", views.move_referral, name="move_referral"),
    path(ONE + "in-error/", views.referral_in_error, name="referral_in_error"),
    path(ONE + "letter/", views.referral_letter, name="referral_letter"),
    path(ONE + "letter/send/", views.send_referral_letter, name="send_referral_letter"),
    path(ONE + "letter/print/", views.print_referral_letter, name="print_referral_letter"),
    path("referrals/", views.referrals_board, name="referrals_board"),
    path("referrals/directory/", views.directory, name="directory"),
    path("referrals/directory/new/", views.new_resource, name="new_resource"),
    path("referrals/directory/<uuid:resource_id>/", views.edit_resource, name="edit_resource"),
]
