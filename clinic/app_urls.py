"""URLs of the clinic app's own pages (calendar, bookings, courses)."""

from __future__ import annotations

from django.urls import path

from clinic import booking_views, calendar_views

app_name = "clinic"

urlpatterns = [
    path("calendar/", calendar_views.day_view, name="day"),
    path("calendar/week/<int:practitioner_id>/", calendar_views.week_view, name="week"),
    path("calendar/sheet/", calendar_views.day_sheet, name="day_sheet"),
    path("clients/search/", booking_views.client_search, name="client_search"),
    path("bookings/new/", booking_views.booking_new, name="booking_new"),
    path("bookings/free-slots/", booking_views.find_slots, name="find_slots"),
    path("bookings/<int:pk>/", booking_views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/move/", booking_views.booking_move, name="booking_move"),
    path("bookings/<int:pk>/cancel/", booking_views.booking_cancel, name="booking_cancel"),
    path("bookings/<int:pk>/note/", booking_views.booking_note, name="booking_note"),
    path("bookings/<int:pk>/<str:action>/", booking_views.booking_status, name="booking_status"),
    path("courses/new/", booking_views.course_new, name="course_new"),
]
