"""Refill the clients' search column with the phone forms search now looks for.

The column used to hold a national form only for UK numbers (worked out by hand from the
country code 44); it now holds every number's E.164 and national digits (clients.search).
The column is derived data, so this runs the app's current rule rather than a frozen copy.
Reversing leaves the column as it is: the old content was a subset of the new.
"""

from django.db import migrations


def refill(apps, schema_editor):
    from clients.search import search_text_for

    Client = apps.get_model("clients", "Client")
    for client in Client.objects.only(
        "first_name", "last_name", "preferred_name", "email", "phone", "search_text"
    ).iterator():
        text = search_text_for(
            first_name=client.first_name,
            last_name=client.last_name,
            preferred_name=client.preferred_name,
            email=client.email,
            phone=client.phone,
        )
        if text != client.search_text:
            Client.objects.filter(pk=client.pk).update(search_text=text)


class Migration(migrations.Migration):
    dependencies = [("clients", "0007_seed_uncontrolled_seizures_rule")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
