"""URLs of the treatments app."""

from __future__ import annotations

from django.urls import path

from treatments import views

app_name = "treatments"

urlpatterns = [
    path("points/search/", views.point_search, name="point_search"),
    path("bookings/<int:booking_id>/note/", views.booking_note, name="booking_note"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("notes/<int:pk>/edit/", views.note_update, name="note_update"),
    path("notes/<int:pk>/autosave/", views.note_autosave, name="note_autosave"),
    path("notes/<int:pk>/points/add/", views.application_add, name="application_add"),
    path(
        "notes/<int:pk>/points/<int:application_id>/remove/",
        views.application_remove,
        name="application_remove",
    ),
    path("notes/<int:pk>/quick/preview/", views.quick_preview, name="quick_preview"),
    path("notes/<int:pk>/quick/add/", views.quick_add, name="quick_add"),
    path("notes/<int:pk>/copy-last/", views.copy_last, name="copy_last"),
    path("notes/<int:pk>/sign/", views.note_sign, name="note_sign"),
    path("notes/<int:pk>/amend/", views.amendment_add, name="amendment_add"),
    path("notes/<int:pk>/protocol/", views.protocol_apply, name="protocol_apply"),
    path("notes/<int:pk>/handout/", views.handout, name="handout"),
    path("notes/<int:pk>/handout/pdf/", views.handout_make, name="handout_make"),
    path("handouts/<int:handout_id>/pdf/", views.handout_file, name="handout_file"),
    path("handouts/<int:handout_id>/email/", views.handout_email, name="handout_email"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/new/", views.protocol_create, name="protocol_create"),
    path("protocols/<int:pk>/", views.protocol_edit, name="protocol_edit"),
    path("protocols/<int:pk>/delete/", views.protocol_delete, name="protocol_delete"),
    path("clients/<int:client_id>/chart/", views.chart, name="chart"),
    path("clients/<int:client_id>/plans/new/", views.plan_create, name="plan_create"),
    path("clients/<int:client_id>/export/", views.client_export, name="client_export"),
]
