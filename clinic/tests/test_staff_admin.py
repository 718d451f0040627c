"""The back office's staff accounts: a manager gives roles but never raises anyone's privileges
(her own included), and nobody deletes the sign-in attempt log."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from clinic.kernel.roles import Role
from conftest import login_client


def change_url(user) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def crafted_form(user, **extra) -> dict:
    """The change form as a browser posts it, plus whatever an attacker adds."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "date_joined_0": joined.strftime("%d/%m/%Y"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v != ""}


def every_permission() -> list[int]:
    return list(Permission.objects.values_list("pk", flat=True))


def group_names(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@clinic.example", "a-long-root-password-1")


def test_a_manager_cannot_make_herself_superuser_or_give_herself_groups_or_permissions(back_office, manager):
    every_group = [Group.objects.get_or_create(name=name)[0].pk for name in [*Role.values, "Auditors"]]
    response = back_office.post(
        change_url(manager),
        crafted_form(
            manager,
            role=Role.MANAGER,
            is_superuser="on",
            groups=every_group,
            user_permissions=every_permission(),
        ),
    )
    assert response.status_code == 302, response.content
    manager.refresh_from_db()
    assert not manager.is_superuser
    assert group_names(manager) == {Role.MANAGER}
    assert not manager.user_permissions.exists()


def test_a_manager_gives_a_staff_member_one_of_the_three_roles(back_office, receptionist):
    response = back_office.post(
        change_url(receptionist),
        crafted_form(receptionist, role=Role.PRACTITIONER, user_permissions=every_permission()),
    )
    assert response.status_code == 302, response.content
    assert group_names(receptionist) == {Role.PRACTITIONER}
    assert not receptionist.user_permissions.exists()


def test_a_role_outside_the_three_is_refused(back_office, receptionist):
    Group.objects.create(name="Auditors")
    response = back_office.post(change_url(receptionist), crafted_form(receptionist, role="Auditors"))
    assert response.status_code == 200
    assert group_names(receptionist) == {Role.RECEPTION}


def test_a_manager_sees_superuser_status_groups_and_permissions_read_only(back_office, receptionist):
    page = back_office.get(change_url(receptionist)).content.decode()
    assert 'name="role"' in page
    for field in ("is_superuser", "groups", "user_permissions"):
        assert f'name="{field}"' not in page


def test_a_manager_cannot_change_a_superusers_account_or_password(back_office, superuser):
    response = back_office.post(change_url(superuser), crafted_form(superuser, is_active=""))
    assert response.status_code == 403
    new = "a-takeover-password-123"
    response = back_office.post(
        f"/admin/auth/user/{superuser.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 403
    superuser.refresh_from_db()
    assert superuser.is_active
    assert not superuser.check_password(new)


def test_a_superuser_still_grants_superuser_status_and_groups(superuser, receptionist):
    auditors = Group.objects.create(name="Auditors")
    response = login_client(superuser).post(
        change_url(receptionist),
        crafted_form(receptionist, role=Role.RECEPTION, is_superuser="on", groups=[auditors.pk]),
    )
    assert response.status_code == 302, response.content
    receptionist.refresh_from_db()
    assert receptionist.is_superuser
    assert group_names(receptionist) == {"Auditors", Role.RECEPTION}


@pytest.mark.parametrize("model", [AccessAttempt, AccessLog, AccessFailureLog], ids=lambda m: m.__name__)
def test_nobody_deletes_the_sign_in_log(superuser, model):
    rows = {
        AccessAttempt: lambda: AccessAttempt.objects.create(
            username="amara", ip_address="203.0.113.9", failures_since_start=5
        ),
        AccessLog: lambda: AccessLog.objects.create(username="amara", ip_address="203.0.113.9"),
        AccessFailureLog: lambda: AccessFailureLog.objects.create(username="amara", ip_address="203.0.113.9"),
    }
    row = rows[model]()
    client = login_client(superuser)
    base = f"/admin/axes/{model._meta.model_name}/"
    assert client.get(base).status_code == 200
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert model.objects.filter(pk=row.pk).exists()


def test_a_new_staff_account_gets_its_role_on_the_add_page(back_office, manager):
    page = back_office.get("/admin/auth/user/add/")
    assert page.status_code == 200
    assert 'name="role"' in page.content.decode()
    response = back_office.post(
        "/admin/auth/user/add/",
        {
            "username": "jo",
            "first_name": "Jo",
            "last_name": "Park",
            "email": "jo@clinic.example",
            "password1": "a-long-staff-password-7",
            "password2": "a-long-staff-password-7",
            "role": Role.PRACTITIONER,
            # Crafted: not on the add page, ignored.
            "is_superuser": "on",
            "groups": [Group.objects.get(name=Role.MANAGER).pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    jo = get_user_model().objects.get(username="jo")
    assert (jo.email, jo.is_superuser, group_names(jo)) == ("jo@clinic.example", False, {Role.PRACTITIONER})
    assert jo.check_password("a-long-staff-password-7")
