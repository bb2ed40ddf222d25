from django.urls import path

from commonground.accounts import views

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.sign_in, name="login"),
    path("sign-out/", views.sign_out, name="logout"),
    path("reset/", views.password_reset_request, name="password_reset"),
    path("reset/finish/", views.reset_with_code, name="reset_finish"),
    path("reset/<str:token>/", views.password_reset_confirm, name="password_reset_confirm"),
    path("join/", views.join_with_code, name="join"),
    path("join/finish/", views.join_finish, name="join_finish"),
    path("join/<str:token>/", views.join_with_link, name="join_link"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<uuid:token_id>/revoke/", views.revoke_api_token, name="revoke_api_token"),
]
