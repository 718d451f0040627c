"""Dependencies run one way: kernel <- practitioners, clients <- clinic (bookings) <- treatments,
with the project's composition (settings, URLs, home pages, the demo) on top.

Every import in the apps' code (module level or inside a function) and every `{% url %}` in
their templates is checked against the layers; a reverse import fails the suite, naming it.
Tests and migrations are outside the layers (tests build worlds across apps; migrations are
history).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("clinic", "clients", "practitioners", "treatments")

KERNEL, LEAF, BOOKINGS, TREATMENTS, COMPOSITION = range(5)
LAYER_NAMES = ["kernel", "leaf app", "bookings (clinic)", "treatments", "composition"]
# The project package's modules that compose every app: they may import anything.
COMPOSITION_MODULES = {
    "clinic.settings",
    "clinic.settings_typecheck",  # the settings as mypy reads them
    "clinic.urls",
    "clinic.wsgi",
    "clinic.asgi",
    "clinic.views",  # the role home pages
    "clinic.overview",  # the manager's overview
    "clinic.reports",  # the manager's reports: bookings, schedules, clients, courses and plans
    "clinic.report_views",  # their pages
    "clinic.management.commands.seed_demo",  # every app's demo data
    # `make bench`: the benchmark clinic and the timed pages reach every app.
    "clinic.management.commands.bench",
    "clinic.bench",
    "clinic.bench.data",
    "clinic.bench.pages",
    "clinic.bench.urls",
}
COMPOSITION_TEMPLATES = {"clinic/home_desk.html", "clinic/home_practitioner.html", "clinic/home_manager.html"}
# Two leaves: neither may import the other.
LEAVES = ("clients", "practitioners")


def layer_of(module: str) -> tuple[int, str]:
    """The module's layer and its app (for the leaves' separation)."""
    if module in COMPOSITION_MODULES:
        return COMPOSITION, "composition"
    if module == "clinic.kernel" or module.startswith("clinic.kernel."):
        return KERNEL, "kernel"
    app = module.split(".")[0]
    if app in LEAVES:
        return LEAF, app
    return (TREATMENTS, app) if app == "treatments" else (BOOKINGS, app)


def allowed(importer: str, imported: str) -> bool:
    (low, low_app), (high, high_app) = layer_of(imported), layer_of(importer)
    if high == LEAF and low == LEAF:
        return low_app == high_app
    return low <= high


def source_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            modules[name] = path
    return modules


def imports_of(path: Path, modules: dict[str, Path]) -> set[tuple[int, str]]:
    """(line, module) for each app module the file imports; `from clinic import demo` is clinic.demo."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add((node.lineno, submodule if submodule in modules else node.module))
        elif isinstance(node, ast.Import):
            found.update((node.lineno, alias.name) for alias in node.names)
    return {(line, name) for line, name in found if name.split(".")[0] in APPS}


def wrong_way_imports(root: Path = ROOT) -> list[str]:
    modules = source_modules(root)
    problems = []
    for module, path in sorted(modules.items()):
        for line, imported in sorted(imports_of(path, modules)):
            if not allowed(module, imported):
                problems.append(
                    f"{path.relative_to(root)}:{line}: {module} ({LAYER_NAMES[layer_of(module)[0]]}) "
                    f"imports {imported} ({LAYER_NAMES[layer_of(imported)[0]]})"
                )
    return problems


URL_TAG = re.compile(r"""\{%\s*url\s+['"](\w+):""")
NAMESPACE_LAYER = {
    "access": KERNEL,
    "twofactor": KERNEL,
    "practitioners": LEAF,
    "clients": LEAF,
    "clinic": BOOKINGS,
    # The waitlist (clinic.waitlist) sits with the bookings: it uses clients and the booking
    # service, and only the composition (the desk) and its own templates link to it.
    "waitlist": BOOKINGS,
    "online": BOOKINGS,  # clinic.online, the public booking pages
    "treatments": TREATMENTS,
}


def wrong_way_template_links(root: Path = ROOT) -> list[str]:
    problems = []
    for app, layer in NAMESPACE_LAYER.items():
        for path in sorted((root / "templates" / app).rglob("*.html")):
            name = path.relative_to(root / "templates").as_posix()
            if name in COMPOSITION_TEMPLATES:
                continue
            for namespace in URL_TAG.findall(path.read_text()):
                target = NAMESPACE_LAYER.get(namespace)
                reverse = target is not None and (
                    target > layer or (layer == target == LEAF and namespace != app)
                )
                if reverse:
                    problems.append(f"templates/{name} links to {namespace}: (a layer above {app})")
    return problems


def test_online_booking_is_at_the_bookings_layer():
    """The public booking pages book through the bookings' services: not above them."""
    assert layer_of("clinic.online.views") == (BOOKINGS, "clinic")
    assert allowed("clinic.online.services", "clients.services")
    assert not allowed("clinic.online.services", "treatments.models")


def test_imports_run_one_way():
    assert wrong_way_imports() == []


def test_templates_link_one_way():
    assert wrong_way_template_links() == []


@pytest.mark.parametrize(
    ("where", "line", "expected"),
    [
        (
            "clients/services.py",
            "from clinic.models import Booking",
            "clients.services (leaf app) imports clinic.models",
        ),
        (
            "clients/models.py",
            "import treatments.models",
            "clients.models (leaf app) imports treatments.models",
        ),
        ("clients/views.py", "from practitioners import models", "imports practitioners.models"),
        ("clinic/kernel/dates.py", "from clients.models import Client", "imports clients.models"),
        ("clinic/services.py", "from treatments.models import TreatmentNote", "imports treatments.models"),
        ("practitioners/views.py", "from clinic.ical import practitioner_feed", "imports clinic.ical"),
    ],
)
def test_a_reverse_import_is_caught(tmp_path, where, line, expected):
    """The check fails when a reverse import is added, wherever it is (shown on a copy of the code)."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            copy = tmp_path / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text(path.read_text())
    target = tmp_path / where
    target.write_text(target.read_text() + f"\n\ndef _later():\n    {line}\n")

    problems = wrong_way_imports(tmp_path)

    assert len(problems) == 1 and expected in problems[0], problems


def test_a_reverse_template_link_is_caught(tmp_path):
    for path in (ROOT / "templates").rglob("*.html"):
        copy = tmp_path / "templates" / path.relative_to(ROOT / "templates")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(path.read_text())
    detail = tmp_path / "templates" / "clients" / "client_detail.html"
    detail.write_text(detail.read_text() + "\n<a href=\"{% url 'treatments:chart' client.pk %}\">Chart</a>\n")

    assert wrong_way_template_links(tmp_path) == [
        "templates/clients/client_detail.html links to treatments: (a layer above clients)"
    ]
