"""The clinic's URLs: each app's under its own prefix and namespace."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from clinic import feed_views, report_views, views
from clinic.integrations import api
from clinic.kernel.passwords import ThrottledPasswordResetView

admin.site.site_header = "Clinic back office"
admin.site.site_title = "Clinic back office"
admin.site.index_title = "Configuration and records"


def back_office_login(request: HttpRequest, extra_context: object = None) -> HttpResponse:
    """The back office signs in through the app's own sign-in (password, lock-out, second
    factor), never through a form of its own that would skip a step."""
    return redirect_to_login(request.GET.get("next") or "/admin/")


admin.site.login = back_office_login  # type: ignore[method-assign]

urlpatterns = [
    path("", views.home, name="home"),
    path("desk/", views.desk, name="desk"),
    path("my-day/", views.my_day, name="my_day"),
    path("overview/", views.overview, name="overview"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<slug:name>/", report_views.report_detail, name="report"),
    path("reports/<slug:name>/csv/", report_views.report_csv, name="report_csv"),
    # Before Django's own: the reset email goes through the outbox, and requests are rate-limited.
    path("accounts/password_reset/", ThrottledPasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("accounts/security/", include("clinic.kernel.twofactor.urls")),
    path("clinic/access/", include("clinic.kernel.access.urls")),
    path("clinic/waitlist/", include("clinic.waitlist.urls")),
    path("clinic/integrations/", include("clinic.integrations.urls")),
    # The REST API for other systems: its own keys, no session (clinic.integrations).
    path("api/v1/", api.urls()),
    # The manager's import from another system and CSV exports (clinic.imports).
    path("manage/", include("clinic.imports.urls")),
    path("clinic/", include("clinic.app_urls")),
    # A practitioner's calendar feed: bookings data, at the address subscribed calendars use.
    path("practitioners/feed/<str:token>.ics", feed_views.ical_feed, name="ical_feed"),
    path("practitioners/", include("practitioners.urls")),
    path("clients/", include("clients.urls")),
    path("treatments/", include("treatments.urls")),
    # The public booking pages: no staff login (clinic.online).
    path("book/", include("clinic.online.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "clinic.errors.bad_request"
handler403 = "clinic.errors.permission_denied"
handler404 = "clinic.errors.page_not_found"
