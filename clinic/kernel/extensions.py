"""Places on a page where an app higher in the layers adds its part.

The layers run one way (kernel <- practitioners, clients <- clinic <- treatments), so a client's
page, in the clients app, cannot name the bookings panel or the treatment chart. Instead the
page renders whatever templates are registered for a place, and each higher app registers its
own in its AppConfig.ready(). A part is rendered with the page's context and checks the
reader's role itself where it needs to.
"""

from __future__ import annotations

from collections import defaultdict

# Places used today: "client_page.actions" (buttons in the client page's header),
# "client_page.sections" (sections of the client page's main column) and
# "booking_page.actions" (below a booking's details).
_parts: dict[str, list[str]] = defaultdict(list)


def add_part(place: str, template_name: str) -> None:
    """Register a template for a place (once, however often an app's ready() runs)."""
    if template_name not in _parts[place]:
        _parts[place].append(template_name)


def parts(place: str) -> tuple[str, ...]:
    """The templates registered for a place, in registration order (the apps' order)."""
    return tuple(_parts.get(place, ()))
