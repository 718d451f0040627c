"""Code that cites docs/domain.md points at a heading the file really has."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "domain.md"
APPS = ("clinic", "clients", "practitioners", "treatments")
CITATION = re.compile(r"docs/domain\.md#([A-Za-z0-9_-]+)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors() -> set[str]:
    return {slug(title) for title in HEADING.findall(REFERENCE.read_text(encoding="utf-8"))}


def citations() -> dict[str, list[str]]:
    """Anchor -> the files that cite it, over every Python file of the apps."""
    found: dict[str, list[str]] = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for anchor in CITATION.findall(path.read_text(encoding="utf-8")):
                found.setdefault(anchor, []).append(str(path.relative_to(ROOT)))
    return found


def test_slugs_follow_githubs_rules():
    assert slug("The older bladder numbering") == "the-older-bladder-numbering"
    assert slug("Older extra-point codes and other names") == "older-extra-point-codes-and-other-names"
    assert slug("Signing, amendments & `final` notes") == "signing-amendments--final-notes"


def test_every_cited_section_exists():
    cited = citations()
    assert len(cited) >= 5, "the code has stopped citing docs/domain.md: is this test still looking?"
    missing = {anchor: files for anchor, files in cited.items() if anchor not in anchors()}
    assert not missing, f"docs/domain.md has no heading for: {missing}"


def test_no_code_cites_a_reference_outside_the_repository():
    """The clinical reference lives in the repository; pointers elsewhere would rot unseen."""
    old_name = "DOMAIN" + ".md"
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            assert old_name not in path.read_text(encoding="utf-8"), path
