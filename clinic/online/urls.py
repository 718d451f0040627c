from django.urls import path

from clinic.online import views

app_name = "online"

urlpatterns = [
    path("", views.start, name="start"),
    path("times/", views.times, name="times"),
    path("details/", views.details, name="details"),
    path("code/", views.code, name="code"),
    path("waitlist/", views.waitlist_join, name="waitlist"),
    path("waitlist/code/", views.waitlist_code, name="waitlist_code"),
    path("manage/", views.manage, name="manage"),
    path("manage/<str:token>/", views.manage_link, name="manage_link"),
    # Managers: what is bookable online.
    path("settings/", views.settings_page, name="settings"),
    # Staff: reception confirms a booking requested online.
    path("requests/<int:pk>/confirm/", views.confirm, name="confirm"),
]
