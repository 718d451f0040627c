"""A cache that lives for one template rendering, shared with the templates it includes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.template import Context
from django.urls import reverse


def shared_cache(context: Context, key: str) -> dict[Any, Any]:
    """The dict stored under `key` in the render context's bottom layer: each {% include %}
    pushes a layer of its own on top, so a cache kept there is seen by every included template
    of this rendering, and by no other rendering."""
    bottom = cast(dict[str, Any], context.render_context.dicts[0])
    return cast(dict[Any, Any], bottom.setdefault(key, {}))


_STAND_IN = 987654321  # an id no route is reversed with but this one's


def id_route(name: str, *args: Any) -> Callable[[int], str]:
    """The URL of route `name` for any object id (its first argument, `args` after it),
    reversed once: a list of a hundred rows reverses the route once, not a hundred times."""
    parts = reverse(name, args=[_STAND_IN, *args]).split(str(_STAND_IN))
    return lambda pk: str(int(pk)).join(parts)
