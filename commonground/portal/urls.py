from django.urls import path

from commonground.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.today, name="today"),
    path("who-looked/", views.access_log, name="access_log"),
    path("consents/", views.my_consents, name="consents"),
    path("consents/<uuid:consent_id>/withdraw/", views.withdraw_my_consent, name="withdraw_consent"),
]
