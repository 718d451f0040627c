"""The benchmark's URLs: the whole site plus a bare page, used only while `manage.py bench` runs.

The bare page renders a tiny template through the same middleware and context processors as
every other page, so a page's time divided by the bare page's time is what the page itself
costs on this machine. It is not reachable in the running site (clinic.urls does not list it).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from clinic import urls as site

BARE_PATH = "bench/bare/"
_TEMPLATE = engines["django"].from_string("<!doctype html><title>bare</title><p>{{ user.get_username }}</p>")


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_TEMPLATE.render({}, request))


urlpatterns = [path(BARE_PATH, bare, name="bench_bare"), *site.urlpatterns]
handler400 = getattr(site, "handler400", None)
handler403 = getattr(site, "handler403", None)
handler404 = getattr(site, "handler404", None)
handler500 = getattr(site, "handler500", None)
