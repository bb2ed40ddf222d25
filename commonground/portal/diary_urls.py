"""URLs of the patient's diary pages."""

from django.urls import URLPattern, path

from commonground.portal import diary_views as views

urlpatterns: list[URLPattern] = [
    path("diary/", views.my_diary, name="diary"),
    path("diary/days/<str:day>/", views.day_entry, name="diary_day"),
    path("diary/check-in/", views.check_in, name="diary_check_in"),
    path("diary/entries/<uuid:entry_id>/remove/", views.remove_entry, name="diary_remove_entry"),
    path("diary/patterns/", views.my_patterns, name="diary_patterns"),
    path("diary/settings/", views.diary_settings, name="diary_settings"),
    path("diary/settings/sharing/", views.save_sharing, name="diary_sharing"),
    path("diary/settings/reminder/", views.save_reminder, name="diary_reminder"),
    path("diary/export.csv", views.export_diary, name="diary_export"),
]
