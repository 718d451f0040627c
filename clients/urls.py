"""URLs of the clients app."""

from __future__ import annotations

from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.client_list, name="list"),
    path("new/", views.client_create, name="create"),
    path("intakes/to-review/", views.intakes_to_review, name="intakes_to_review"),
    # Public: the client's one-time questionnaire link (the token is the credential).
    # Public: the questionnaire itself, for the link whose token this browser's session traded.
    path("intake/form/", views.public_intake_form, name="public_intake_form"),
    path("intake/<str:token>/", views.public_intake, name="public_intake"),
    path("<int:pk>/", views.client_detail, name="detail"),
    path("<int:pk>/edit/", views.client_edit, name="edit"),
    path("<int:pk>/archive/", views.client_archive, name="archive"),
    path("<int:pk>/restore/", views.client_restore, name="restore"),
    path("<int:pk>/health-update/", views.health_update, name="health_update"),
    path("<int:pk>/intakes/new/", views.intake_new, name="intake_new"),
    path("<int:pk>/intakes/<int:intake_pk>/", views.intake_detail, name="intake_detail"),
    path("<int:pk>/intakes/<int:intake_pk>/review/", views.intake_review, name="intake_review"),
    path("<int:pk>/clearances/new/", views.clearance_new, name="clearance_new"),
    path("<int:pk>/clearances/<int:clearance_pk>/letter/", views.clearance_letter, name="clearance_letter"),
    path("<int:pk>/send-intake-link/", views.send_intake_link, name="send_intake_link"),
]
