"""Outgoing email in the back office: managers read it (one-time links hidden) and retry it;
nobody edits or deletes it; other roles don't see it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.kernel.outbox import delivery
from clinic.kernel.outbox.models import Message, MessageStatus
from clinic.kernel.outbox.services import write_message
from conftest import login_client, run_outbox_worker

pytestmark = pytest.mark.django_db

LIST = reverse("admin:outbox_message_changelist")


@pytest.fixture
def back_office(manager):
    manager.is_staff = True
    manager.save()
    return login_client(manager)


@pytest.fixture
def given_up(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = "clinic.tests.failing_email.FailingEmailBackend"
    msg = write_message(
        key="k:1", kind="booked", recipient="ada@example.com", subject="Booked", body="See you"
    )
    delivery.deliver(msg.pk)
    msg.refresh_from_db()
    assert msg.status == MessageStatus.GIVEN_UP
    return msg


def test_a_manager_sees_given_up_messages_with_recipient_reason_and_body(back_office, given_up):
    listing = back_office.get(LIST + "?status__exact=given_up").content.decode()
    assert "ada@example.com" in listing and "Given up" in listing
    page = back_office.get(reverse("admin:outbox_message_change", args=[given_up.pk])).content.decode()
    assert "See you" in page and "SMTPServerDisconnected" in page
    assert 'name="_save"' not in page  # read-only
    assert back_office.get(reverse("admin:outbox_message_delete", args=[given_up.pk])).status_code == 403


def test_a_one_time_link_is_never_shown(back_office):
    msg = write_message(
        key="k:2", kind="intake link", recipient="a@example.com", subject="Link", body="https://x/s3cret",
        sensitive=True,
    )  # fmt: skip
    page = back_office.get(reverse("admin:outbox_message_change", args=[msg.pk])).content.decode()
    assert "s3cret" not in page and "hidden" in page


def test_retry_now_sends_a_given_up_message_through_the_outbox(back_office, given_up, settings, mailoutbox):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = back_office.post(
        LIST, {"action": "retry_selected", "_selected_action": [given_up.pk]}, follow=True
    )
    assert "1 message(s) queued to send again." in response.content.decode()
    given_up.refresh_from_db()
    assert given_up.status == MessageStatus.PENDING and given_up.attempts == 0
    run_outbox_worker()
    assert [m.subject for m in mailoutbox] == ["Booked"]
    assert Message.objects.get().status == MessageStatus.SENT


@pytest.mark.parametrize("who", ["receptionist", "practitioner"])
def test_other_roles_do_not_see_the_outbox(request, who, given_up):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    user.is_staff = True
    user.save()
    assert login_client(user).get(LIST).status_code == 403
