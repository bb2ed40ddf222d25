from django.contrib import admin
from django.urls import include, path

from commonground import views
from commonground.api import api

# One sign-in page, with its lockout and session clock, for everyone: the admin's own form is never used.
admin.site.login = views.admin_sign_in  # type: ignore[method-assign]
admin.site.site_header = "Common Ground administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("accounts/", include("commonground.accounts.urls")),
    path("clinician/", include("commonground.clinician.urls")),
    path("portal/", include("commonground.portal.urls")),
    path("audit/", include("commonground.audit.urls")),
    path("access/", include("commonground.access.urls")),
    path("team/", include("commonground.careteam.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "commonground.views.not_found"
handler500 = "commonground.views.server_error"
handler403 = "commonground.views.forbidden"
handler400 = "commonground.views.bad_request"
