"""URLs of the clinic app's own pages (calendar, bookings, courses)."""

from __future__ import annotations

from django.urls import path

from clinic import booking_views, calendar_views, schedule_views

app_name = "clinic"

urlpatterns = [
    path("calendar/", calendar_views.day_view, name="day"),
    path("calendar/week/", calendar_views.week_all, name="week_all"),
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
    # Schedules: working hours and closures (managers), time off (practitioners their own).
    path("schedules/", schedule_views.schedules, name="schedules"),
    path("schedules/<int:practitioner_id>/hours/", schedule_views.working_hours, name="working_hours"),
    path("schedules/<int:practitioner_id>/time-off/", schedule_views.time_off, name="time_off"),
    path("schedules/time-off/<int:pk>/", schedule_views.time_off_edit, name="time_off_edit"),
    path(
        "schedules/<int:practitioner_id>/time-off/delete/",
        schedule_views.time_off_delete,
        name="time_off_delete",
    ),
    path("schedules/my-time-off/", schedule_views.my_time_off, name="my_time_off"),
    path("schedules/closures/", schedule_views.closures, name="closures"),
    path("schedules/closures/new/", schedule_views.closure_new, name="closure_new"),
    path("schedules/closures/<int:pk>/", schedule_views.closure_edit, name="closure_edit"),
    path("schedules/closures/<int:pk>/delete/", schedule_views.closure_delete, name="closure_delete"),
]
