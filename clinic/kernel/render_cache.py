"""A cache that lives for one template rendering, shared with the templates it includes."""

from __future__ import annotations

from typing import Any, cast

from django.template import Context


def shared_cache(context: Context, key: str) -> dict[Any, Any]:
    """The dict stored under `key` in the render context's bottom layer: each {% include %}
    pushes a layer of its own on top, so a cache kept there is seen by every included template
    of this rendering, and by no other rendering."""
    bottom = cast(dict[str, Any], context.render_context.dicts[0])
    return cast(dict[Any, Any], bottom.setdefault(key, {}))
