"""A manager moves a clinic in through the browser: uploads a clients file, checks the columns,
reads the dry run, confirms; axe-core finds no serious violation on any of the pages."""

from __future__ import annotations

import pytest

from clients.models import Client
from clinic.kernel.roles import Role
from clinic.tests.e2e.conftest import assert_accessible, login_through_form
from conftest import TEST_PASSWORD, make_user, run_outbox_worker

CLIENTS = (
    "Patient ID,First Name,Last Name,Date of Birth,Mobile,Email,Notes\n"
    "1,Noor,Haddad,1984-06-21,07400 123456,noor@example.com,\n"
    "2,Ines,Moreau,03/04/1990,,,\n"
)


@pytest.fixture
def manager(transactional_db) -> None:
    make_user(role=Role.MANAGER, username="morgan", first_name="Morgan", last_name="Hale")


def test_a_manager_imports_clients_through_the_pages(page, manager, tmp_path):
    upload = tmp_path / "cliniko-patients.csv"
    upload.write_text(CLIENTS)
    login_through_form(page, "morgan", TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import and export").click()
    page.get_by_role("heading", level=1, name="Import and export").wait_for()
    assert_accessible(page)

    page.get_by_label("Clients (CSV)").set_input_files(str(upload))
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.get_by_role("heading", level=1, name="Choose the columns").wait_for()
    assert page.get_by_text("look like an export from Cliniko").is_visible()
    assert page.get_by_label("Date of Birth").input_value() == "date_of_birth"
    assert_accessible(page)

    page.get_by_role("button", name="Dry run").click()
    page.get_by_role("status").get_by_text("Dry run under way").wait_for()
    run_outbox_worker()  # what the background worker does
    page.reload()
    page.get_by_role("heading", level=1, name="Dry run: what the import would do").wait_for()
    assert page.get_by_role("cell", name="could be 3 April or 4 March", exact=False).is_visible()
    assert_accessible(page)
    assert not Client.objects.exists()

    page.get_by_role("button", name="Import the rows marked “Created”").click()
    run_outbox_worker()
    page.reload()
    page.get_by_role("heading", level=1, name="Import report").wait_for()
    assert_accessible(page)
    assert list(Client.objects.values_list("first_name", flat=True)) == ["Noor"]
