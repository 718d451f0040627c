"""Create the three role groups. Their permissions are synced after every migrate
(clinic.kernel.roles.sync_role_permissions), so models added later are covered too."""

from django.db import migrations

ROLES = ("Manager", "Practitioner", "Reception")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
