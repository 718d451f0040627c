"""SECURITY.md says how to report a problem, and every setting it names is one the clinic reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_security_md_says_how_to_report_a_problem():
    text = (ROOT / "SECURITY.md").read_text()
    assert "## Reporting a problem" in text
    assert "Report a vulnerability" in text


def test_every_setting_security_md_names_is_documented_in_env_example():
    named = set(re.findall(r"`([A-Z][A-Z_]+)(?:=\w+)?`", (ROOT / "SECURITY.md").read_text()))
    documented = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert named, "SECURITY.md names the settings it relies on"
    assert named <= documented, f"not in .env.example: {sorted(named - documented)}"
