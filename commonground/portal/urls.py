from django.urls import path

from commonground.portal import care_urls, conversations_urls, diary_urls, groups_urls, safety_urls, views

app_name = "portal"
urlpatterns = [
    path("", views.today, name="today"),
    path("who-looked/", views.access_log, name="access_log"),
    path("consents/", views.my_consents, name="consents"),
    path("consents/<uuid:consent_id>/withdraw/", views.withdraw_my_consent, name="withdraw_consent"),
    path("help-now/", views.help_now, name="help_now"),
    path("reminders/<uuid:reminder_id>/dismiss/", views.dismiss_reminder, name="dismiss_reminder"),
    path("questionnaires/<uuid:scheduled_id>/start/", views.start_questionnaire, name="start_questionnaire"),
    path("responses/<uuid:response_id>/", views.carry_on, name="carry_on"),
    path("responses/<uuid:response_id>/questions/<int:number>/", views.question, name="question"),
    path("responses/<uuid:response_id>/check/", views.check_answers, name="check_answers"),
    path("responses/<uuid:response_id>/send/", views.send_answers, name="send_answers"),
    path("responses/<uuid:response_id>/sent/", views.sent, name="sent"),
]
urlpatterns += care_urls.urlpatterns + diary_urls.urlpatterns
urlpatterns += conversations_urls.urlpatterns + safety_urls.urlpatterns
urlpatterns += groups_urls.urlpatterns
