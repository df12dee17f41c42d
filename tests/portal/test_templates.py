"""The portal's markup and scripts hold to the CSP by construction: no inline script or
style in any template, no HTML built from strings in any script."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from importlib import resources

import pytest

TEMPLATES = resources.files("gateway.portal") / "templates"
SCRIPTS = resources.files("gateway.portal") / "static" / "js"
NAMES = sorted(p.name for p in TEMPLATES.iterdir() if p.name.endswith(".html"))


class _Inline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script":
            self._in_script = True
            if "src" not in names:
                self.problems.append("a <script> without src")
        if tag == "style":
            self.problems.append("a <style> element")
        if "style" in names:
            self.problems.append(f"a style attribute on <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"an event handler attribute {name} on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"a javascript: URL on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script text")


def test_there_are_templates() -> None:
    assert "base.html" in NAMES and len(NAMES) >= 8


@pytest.mark.parametrize("name", NAMES)
def test_no_inline_script_or_style_in_template(name: str) -> None:
    parser = _Inline()
    parser.feed((TEMPLATES / name).read_text(encoding="utf-8"))
    assert parser.problems == []


@pytest.mark.parametrize("name", sorted(p.name for p in SCRIPTS.iterdir()))
def test_scripts_never_parse_strings_as_html_or_code(name: str) -> None:
    source = (SCRIPTS / name).read_text(encoding="utf-8")
    for pattern in (
        r"\.innerHTML\b",
        r"\.outerHTML\b",
        r"insertAdjacentHTML",
        r"\beval\(",
        r"new Function\(",
        r"document\.write",
        r"document\.cookie",
    ):
        assert not re.search(pattern, source), f"{name}: {pattern}"


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, tuple[str, dict[str, str | None]]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.tags[named.get("id") or f"{tag}-{len(self.tags)}"] = (tag, named)


def test_the_key_page_cannot_send_the_key_without_its_script() -> None:
    """Submitted before login.js runs (or without it), the form would be a GET of the page:
    its key fields have no name, so no key can ride in the query, and the button is disabled
    until the script takes the form over."""
    parser = _Fields()
    parser.feed((TEMPLATES / "login.html").read_text(encoding="utf-8"))
    assert "name" not in parser.tags["key-pem"][1] and "name" not in parser.tags["key-file"][1]
    buttons = [
        a for tag, a in parser.tags.values() if tag == "button" and a.get("type") == "submit"
    ]
    assert buttons and all("disabled" in a for a in buttons)
