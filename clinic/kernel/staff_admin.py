"""The back office's staff accounts and sign-in log: nobody raises their own privileges there.

Only a superuser changes superuser status, groups and permissions user by user; a manager (who
may add and change staff accounts) gives each one of the three roles and nothing more, and may
not change a superuser's account (its password included). The sign-in attempt log of
django-axes is evidence: no one deletes it here.
"""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from clinic.kernel.admin import NoDeleteMixin
from clinic.kernel.roles import Role
from clinic.kernel.twofactor.services import reset_two_factor

SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


def role_in_groups(user: Any) -> str | None:
    """The role a user's groups give (superuser status aside)."""
    names = set(user.groups.values_list("name", flat=True))
    return next((role.value for role in Role if role in names), None)


def set_role(user: Any, role: str | None) -> None:
    """Make `role` the user's only role group (None: no role); other groups are kept."""
    user.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(name=role or ""))
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", "No role"), *Role.choices],
        required=False,
        help_text="Manager, Practitioner or Reception: what this person may see and do.",
    )


class StaffCreationForm(AdminUserCreationForm):
    """A new staff account gets its name, email and role on the same page as its password."""

    role = role_field()

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")
        field_classes = {"username": UsernameField}


class StaffChangeForm(UserChangeForm):
    role = role_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = role_in_groups(self.instance)


class StaffUserAdmin(UserAdmin):
    form = StaffChangeForm
    add_form = StaffCreationForm
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role",)}),
    )
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("is_active", "is_staff", "role")}),
        ("Superusers only", {"fields": SUPERUSER_ONLY_FIELDS}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )

    actions = ["reset_two_factor"]

    @admin.action(description="Reset two-factor sign-in (a lost phone): set it up again at next sign-in")
    def reset_two_factor(self, request: HttpRequest, queryset: Any) -> None:
        """Deletes the chosen accounts' authenticator and backup codes; each reset is kept in
        the back office's change history and the log."""
        done = []
        for user in queryset:
            if not self.has_change_permission(request, user):
                self.message_user(
                    request, f"{user}: only a superuser may change this account.", messages.ERROR
                )
                continue
            reset_two_factor(user, by=request.user)
            self.log_change(request, user, "Reset two-factor sign-in (devices deleted).")
            done.append(str(user))
        if done:
            self.message_user(request, "Two-factor sign-in reset for: " + ", ".join(done) + ".")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return readonly
        # Read-only fields are left out of the form: whatever is posted for them is ignored.
        return (*readonly, *SUPERUSER_ONLY_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (its password too) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "role" in form.cleaned_data:
            set_role(form.instance, form.cleaned_data["role"] or None)


class AccessAttemptLogAdmin(NoDeleteMixin, AccessAttemptAdmin):
    pass


class AccessLogKeptAdmin(NoDeleteMixin, AccessLogAdmin):
    pass


class AccessFailureLogKeptAdmin(NoDeleteMixin, AccessFailureLogAdmin):
    pass
