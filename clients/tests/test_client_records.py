"""The client list, search, create (with the duplicate warning), edit and archive."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from clients.models import Client
from clients.search import fold
from clients.tests.builders import make_client

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "first_name": "Amara",
        "last_name": "Nwachukwu",
        "preferred_name": "",
        "date_of_birth": "1984-05-06",
        "pronouns": "she/her",
        "phone": "07911 123 456",
        "email": "Amara.N@Example.com",
        "address": "1 High Street\nLondon",
        "emergency_contact_name": "Obi Nwachukwu",
        "emergency_contact_relationship": "Brother",
        "emergency_contact_phone": "020 7946 0018",
        "physician_name": "Dr Patel",
        "physician_phone": "",
        "consent_to_treatment": "on",
    }
    data.update(overrides)
    return data


class TestList:
    def test_lists_active_clients_with_their_screening_badge(self, reception_client):
        make_client(first_name="Ada", last_name="Lovelace")
        make_client(first_name="Gone", last_name="Away", is_archived=True)
        response = reception_client.get(reverse("clients:list"))
        assert response.status_code == 200
        assert "Lovelace, Ada" in response.content.decode()
        assert "Away" not in response.content.decode()
        assert "No intake" in response.content.decode()

    def test_archived_clients_are_listed_on_request(self, reception_client):
        make_client(first_name="Gone", last_name="Away", is_archived=True)
        response = reception_client.get(reverse("clients:list"), {"archived": "on"})
        assert "Away, Gone" in response.content.decode()

    def test_empty_list_says_how_to_add_a_client(self, reception_client):
        response = reception_client.get(reverse("clients:list"))
        assert "Add the first client" in response.content.decode()

    def test_is_paginated(self, reception_client):
        for n in range(30):
            make_client(last_name=f"Pager{n:02d}")
        first = reception_client.get(reverse("clients:list")).content.decode()
        second = reception_client.get(reverse("clients:list"), {"page": 2}).content.decode()
        assert "Pager00" in first and "Pager29" not in first
        assert "Pager29" in second and "Page 2 of 2" in second

    def test_htmx_search_returns_the_results_fragment_only(self, reception_client):
        make_client(first_name="Ada", last_name="Lovelace")
        response = reception_client.get(reverse("clients:list"), {"q": "love"}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert "Lovelace, Ada" in body and "<html" not in body


class TestSearch:
    @pytest.fixture
    def people(self):
        return {
            "zoe": make_client(
                first_name="Zoë", last_name="Ångström", email="zo@example.com", phone="+447700900123"
            ),
            "jose": make_client(
                first_name="José", last_name="Núñez", email="jnunez@mail.example", phone="+447700900456"
            ),
            "ann": make_client(
                first_name="Ann", last_name="Smith", email="ann.smith@example.org", phone="+447700900789"
            ),
        }

    @pytest.mark.parametrize(
        ("query", "who"),
        [
            ("zoe", "zoe"),
            ("ZOË", "zoe"),
            ("angs", "zoe"),
            ("ÅNGSTRÖM", "zoe"),
            ("nunez", "jose"),
            ("jos", "jose"),
            ("smi", "ann"),
            ("ann.smith@", "ann"),
            ("mail.example", "jose"),
            ("900456", "jose"),
            ("07700 900789", "ann"),
            ("+44 7700 900123", "zoe"),
            ("ngstr", "zoe"),
        ],
    )
    def test_finds_by_part_of_name_email_or_phone_ignoring_case_and_accents(self, people, query, who):
        found = list(Client.objects.search(query))
        assert found == [people[who]], query

    def test_the_list_page_searches(self, reception_client, people):
        body = reception_client.get(reverse("clients:list"), {"q": "nuñez"}).content.decode()
        assert "Núñez" in body and "Smith" not in body

    def test_no_match_says_so(self, reception_client, people):
        body = reception_client.get(reverse("clients:list"), {"q": "nobody-like-this"}).content.decode()
        assert "No client matches" in body

    def test_fold(self):
        assert fold("  Zoë   O'Brien ") == "zoe o'brien"


class TestCreate:
    def test_creates_a_client_with_a_normalised_phone_and_consent(self, reception_client):
        response = reception_client.post(reverse("clients:create"), form_data())
        client = Client.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("clients:detail", args=[client.pk])
        assert client.phone == "+447911123456"
        assert client.emergency_contact_phone == "+442079460018"
        assert client.email == "amara.n@example.com"
        assert client.consent_to_treatment_at is not None and client.consent_text_version
        assert "nwachukwu" in client.search_name and "07911123456" in client.search_text

    def test_same_name_and_birth_date_warns_and_links_to_the_existing_record(self, reception_client):
        existing = make_client(first_name="Amara", last_name="Nwachukwu", date_of_birth=date(1984, 5, 6))
        response = reception_client.post(
            reverse("clients:create"), form_data(email="other@example.com", phone="")
        )
        assert response.status_code == 409
        body = response.content.decode()
        assert reverse("clients:detail", args=[existing.pk]) in body
        assert "create the record anyway" in body
        assert Client.objects.count() == 1

    @pytest.mark.parametrize("field", ["email", "phone"])
    def test_same_email_or_phone_warns(self, reception_client, field):
        make_client(
            first_name="Someone", last_name="Else", email="amara.n@example.com", phone="+447911123456"
        )
        data = form_data()
        other = {"email": "x@example.com", "phone": ""}
        other.pop(field)
        data.update(other)
        response = reception_client.post(reverse("clients:create"), data)
        assert response.status_code == 409
        assert Client.objects.count() == 1

    def test_create_anyway_after_the_warning(self, reception_client):
        make_client(first_name="Amara", last_name="Nwachukwu", date_of_birth=date(1984, 5, 6))
        response = reception_client.post(reverse("clients:create"), form_data(confirm_duplicate="on"))
        assert response.status_code == 302
        assert Client.objects.count() == 2


class TestEdit:
    def test_edits_contact_details_and_refreshes_search(self, reception_client):
        client = make_client(first_name="Old", last_name="Name")
        response = reception_client.post(
            reverse("clients:edit", args=[client.pk]), form_data(first_name="New", last_name="Surname")
        )
        assert response.status_code == 302
        client.refresh_from_db()
        assert client.full_name == "New Surname"
        assert list(Client.objects.search("surna")) == [client]
        assert client.history.count() == 2

    def test_the_form_shows_current_values(self, reception_client):
        client = make_client(first_name="Visible", email="visible@example.com")
        body = reception_client.get(reverse("clients:edit", args=[client.pk])).content.decode()
        assert 'value="visible@example.com"' in body


class TestArchive:
    def test_archive_keeps_the_record_and_hides_it_from_the_list(self, reception_client):
        client = make_client(last_name="Archivable")
        response = reception_client.post(reverse("clients:archive", args=[client.pk]))
        assert response.status_code == 302
        client.refresh_from_db()
        assert client.is_archived and client.archived_at is not None
        listed = reception_client.get(reverse("clients:list")).content.decode()
        assert reverse("clients:detail", args=[client.pk]) not in listed
        assert reception_client.get(reverse("clients:detail", args=[client.pk])).status_code == 200

    def test_restore(self, reception_client):
        client = make_client(is_archived=True)
        reception_client.post(reverse("clients:restore", args=[client.pk]))
        client.refresh_from_db()
        assert not client.is_archived and client.archived_at is None

    def test_archive_needs_a_post(self, reception_client):
        client = make_client()
        assert reception_client.get(reverse("clients:archive", args=[client.pk])).status_code == 405
        client.refresh_from_db()
        assert not client.is_archived

    def test_the_ui_offers_no_delete(self, manager_client):
        client = make_client()
        body = manager_client.get(reverse("clients:detail", args=[client.pk])).content.decode()
        assert "Delete" not in body
        assert "/delete/" not in body


class TestConsent:
    """One rule for the consent stamp, whichever page records it."""

    def test_kept_when_the_box_stays_ticked_and_cleared_when_unticked(self, reception_client):
        reception_client.post(reverse("clients:create"), form_data())
        client = Client.objects.get()
        first = client.consent_to_treatment_at
        edit = reverse("clients:edit", args=[client.pk])

        assert reception_client.post(edit, form_data(pronouns="they/them")).status_code == 302
        client.refresh_from_db()
        assert client.consent_to_treatment_at == first

        data = form_data()
        data.pop("consent_to_treatment")
        assert reception_client.post(edit, data).status_code == 302
        client.refresh_from_db()
        assert client.consent_to_treatment_at is None and client.consent_text_version == ""

    def test_the_form_does_not_save_around_the_service(self):
        from clients.forms import ClientForm

        form = ClientForm(data=form_data())
        assert form.is_valid(), form.errors
        with pytest.raises(ValueError, match="save_client"):
            form.save()
