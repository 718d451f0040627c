"""Import and export are the manager's: everyone else is refused on every page (issue 16)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clinic.imports.models import ImportRun, ImportStatus
from conftest import login_client

CSV = b"First name,Last name,Date of birth\nAnn,Smith,1980-01-02\n"


@pytest.fixture
def run(manager):
    return ImportRun.objects.create(
        created_by=manager,
        clients_name="c.csv",
        clients_text=CSV.decode(),
        clients_mapping=["first_name", "last_name", "date_of_birth"],
    )


def pages(run):
    return [
        ("get", "/manage/import/"),
        ("post", "/manage/import/"),
        ("get", f"/manage/import/{run.pk}/columns/"),
        ("post", f"/manage/import/{run.pk}/columns/"),
        ("get", f"/manage/import/{run.pk}/"),
        ("post", f"/manage/import/{run.pk}/confirm/"),
        ("post", f"/manage/import/{run.pk}/discard/"),
        ("get", "/manage/export/clients.csv"),
        ("get", "/manage/export/bookings.csv?start=2026-01-01&end=2026-01-31"),
    ]


def _call(http, method, url):
    if method == "post":
        return http.post(url, {"clients_file": SimpleUploadedFile("c.csv", CSV), "encoding": "utf-8"})
    return http.get(url)


@pytest.mark.parametrize("who", ["reception_client", "practitioner_client", "outsider_client"])
def test_staff_other_than_managers_are_refused(request, who, run):
    http = request.getfixturevalue(who)
    for method, url in pages(run):
        assert _call(http, method, url).status_code == 403, url
    run.refresh_from_db()
    assert run.status == ImportStatus.UPLOADED
    assert ImportRun.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, run):
    for method, url in pages(run):
        response = _call(client, method, url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert ImportRun.objects.count() == 1


def test_an_unknown_import_is_not_found(manager_client):
    assert manager_client.get("/manage/import/999/").status_code == 404
    assert manager_client.post("/manage/import/999/confirm/").status_code == 404


def test_the_page_lists_recent_imports_in_a_fixed_number_of_queries(
    manager_client, manager, django_assert_num_queries
):
    for n in range(3):
        ImportRun.objects.create(created_by=manager, clients_name=f"c{n}.csv")
    # session, the user with their roles and second factor, savepoint, the recent imports with
    # who uploaded them, release (the session is saved at most once a minute, not here)
    with django_assert_num_queries(5):
        response = manager_client.get("/manage/import/")
    assert response.status_code == 200
    assert "c2.csv" in response.content.decode()
    for n in range(10):
        ImportRun.objects.create(created_by=manager, clients_name=f"more{n}.csv")
    with django_assert_num_queries(5):
        assert manager_client.get("/manage/import/").status_code == 200


def test_the_report_runs_a_fixed_number_of_queries(manager_client, run, django_assert_num_queries):
    from clinic.imports.models import ImportRow

    ImportRow.objects.bulk_create(
        ImportRow(run=run, kind="clients", line=n, outcome="refused", message="why") for n in range(2, 250)
    )
    # session, the user with their roles and second factor, savepoint, the run, the counts by
    # outcome, the page's count, the page's rows, release (the session is saved at most once a
    # minute, not here)
    with django_assert_num_queries(8):
        response = manager_client.get(f"/manage/import/{run.pk}/?page=2")
    assert response.status_code == 200
    assert "Page 2 of 3" in response.content.decode()


def test_the_back_office_shows_imports_read_only(manager, run):
    manager.is_staff = True
    manager.save()
    http = login_client(manager)
    assert http.get("/admin/imports/importrun/").status_code == 200
    page = http.get(f"/admin/imports/importrun/{run.pk}/change/")
    assert page.status_code == 200
    assert "Ann,Smith" not in page.content.decode()  # the file's text is not shown
    assert http.post(f"/admin/imports/importrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ImportRun.objects.filter(pk=run.pk).exists()
