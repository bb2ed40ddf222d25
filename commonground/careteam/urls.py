from django.urls import path

from commonground.careteam import views

app_name = "careteam"
urlpatterns = [
    path("staff/", views.staff, name="staff"),
    path("staff/<uuid:staff_id>/offboard/", views.offboard, name="offboard"),
]
