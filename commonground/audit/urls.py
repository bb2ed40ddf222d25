from django.urls import path

from commonground.audit import views

app_name = "audit"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report.csv", views.report_csv, name="report_csv"),
]
