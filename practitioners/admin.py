from django.contrib import admin

from practitioners.models import Practitioner


@admin.register(Practitioner)
class PractitionerAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "credentials", "is_active", "calendar_order"]
    list_filter = ["is_active"]
    search_fields = ["display_name", "user__username", "user__email", "credentials"]
    list_editable = ["calendar_order"]
    autocomplete_fields = ["user"]
