from django.urls import path

from clinic.kernel.access import views

app_name = "access"

urlpatterns = [
    path("users/<int:user_id>/", views.user_activity, name="user_activity"),
    path("clients/<int:client_id>/", views.client_events, name="client_events"),
]
