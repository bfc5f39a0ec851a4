"""The trimmed Bootstrap (tools/build_css.py, `make css`) holds every rule our markup can use.

Deterministic: class names are read from the class attributes of our templates and crispy-bootstrap5's,
from the classes our scripts and forms set, and compared with the selectors of the full and the trimmed
stylesheet. No npm, no browser.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import crispy_bootstrap5
import pytest

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static/vendor/bootstrap-5.3.9"
FULL = VENDOR / "bootstrap.min.css"
TRIMMED = VENDOR / "bootstrap.trimmed.css"
REBUILD = "run `make css` to rebuild static/vendor/bootstrap-5.3.9/bootstrap.trimmed.css"

CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(["'])(.*?)\1""", re.S)
TEMPLATE_VARIABLE = re.compile(r"\{\{.*?\}\}", re.S)
TEMPLATE_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
KEYFRAME_STEP = re.compile(r"(from|to|[\d.]+%)(\s*,\s*(from|to|[\d.]+%))*")
CLASS_NAME = re.compile(r"-?[_a-zA-Z][\w-]*")
# classList.add("x"), className = "x y", {"class": "x y"} and widget.attrs.setdefault("class", "x y")
CODE_CLASSES = re.compile(
    r"""classList\.(?:add|remove|toggle)\(\s*["']([^"']+)["']"""
    r"""|className\s*=\s*["']([^"']+)["']"""
    r"""|["']class["']\s*[:,]\s*["']([^"']+)["']"""
)
# base.html shows a message as alert-{{ message.tags }}, "error" as alert-danger
MESSAGE_ALERTS = {"alert-success", "alert-info", "alert-warning", "alert-danger"}


def classes_in_template(text: str) -> set[str]:
    """Whole class names of the class attributes; a name glued to a {{ variable }} is not whole."""
    names = set()
    for match in CLASS_ATTRIBUTE.finditer(text):
        value = TEMPLATE_TAG.sub(" ", TEMPLATE_VARIABLE.sub("\0", match.group(2)))
        names.update(word for word in value.split() if CLASS_NAME.fullmatch(word) and not word.endswith("-"))
    return names


def classes_in_code(text: str) -> set[str]:
    return {name for match in CODE_CLASSES.finditer(text) for name in "".join(match.groups("")).split()}


def selectors(css: str) -> set[str]:
    """Every single selector of every style rule (comma lists split, comments dropped)."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = set()
    for prelude in re.findall(r"([^{}]+)\{[^{}]*\}", css):
        if prelude.lstrip().startswith("@") or KEYFRAME_STEP.fullmatch(prelude.strip()):
            continue  # @font-face and the like, and the steps of @keyframes
        depth, start = 0, 0
        for i, char in enumerate(prelude + ","):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if char == "," and depth == 0:
                found.add(prelude[start:i].strip())
                start = i + 1
    return found


def classes_of(selector: str) -> set[str]:
    return set(re.findall(r"\.(-?[_a-zA-Z][\w-]*)", selector))


def used_classes() -> dict[str, str]:
    """Each class name our markup can carry, with one file that uses it."""
    used: dict[str, str] = {}
    crispy = Path(crispy_bootstrap5.__file__).parent / "templates"
    for folder in (ROOT / "templates", crispy):
        for path in sorted(folder.rglob("*.html")):
            for name in classes_in_template(path.read_text(encoding="utf-8")):
                used.setdefault(name, str(path.relative_to(folder.parent)))
    code = [*sorted((ROOT / "static/js").glob("*.js"))]
    code += [*sorted((ROOT / "checkins").rglob("*.py")), *sorted((ROOT / "advice").rglob("*.py"))]
    for path in code:
        for name in classes_in_code(path.read_text(encoding="utf-8")):
            used.setdefault(name, str(path.relative_to(ROOT)))
    for name in MESSAGE_ALERTS:
        used.setdefault(name, "templates/base.html (message tags)")
    return used


@pytest.fixture(scope="module")
def full() -> set[str]:
    return selectors(FULL.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def trimmed() -> set[str]:
    return selectors(TRIMMED.read_text(encoding="utf-8"))


def test_the_parsers_read_what_templates_and_scripts_write():
    html = """<div class="alert alert-{% if x %}danger{% else %}{{ tags }}{% endif %}"
      id="a"><i class='cal cal-{{ state }} mb-3{% if y %} is-invalid{% endif %}'></i>"""
    assert classes_in_template(html) == {"alert", "danger", "cal", "mb-3", "is-invalid"}
    js = 'a.classList.remove("d-none"); b.className = "save-status alert alert-danger";'
    py = 'attrs={"type": "date", "class": "form-control"}; w.attrs.setdefault("class", "form-select")'
    assert classes_in_code(js) == {"d-none", "save-status", "alert", "alert-danger"}
    assert classes_in_code(py) == {"form-control", "form-select"}
    css = "/*! x */a,.b:not(.c,.d){}@media (x){.e>.f{}}@keyframes k{0%{}50%,to{}}"
    assert selectors(css) == {"a", ".b:not(.c,.d)", ".e>.f"}


def test_every_bootstrap_class_our_markup_uses_has_its_rules_in_the_trimmed_css(full, trimmed):
    used = used_classes()
    assert {"form-control", "is-invalid", "invalid-feedback", "alert", "btn", "d-none"} <= used.keys()
    bootstrap = set().union(*(classes_of(selector) for selector in full))
    kept = set().union(*(classes_of(selector) for selector in trimmed))
    missing = {name: where for name, where in used.items() if name in bootstrap and name not in kept}
    assert not missing, f"Bootstrap classes in use but not in the trimmed CSS, {REBUILD}: {missing}"
    # and every rule built only of classes in use (.form-control.is-invalid, .alert-danger .alert-link)
    needed = {selector for selector in full if classes_of(selector) and classes_of(selector) <= used.keys()}
    lost = sorted(needed - trimmed)
    assert not lost, f"rules for classes in use are missing from the trimmed CSS, {REBUILD}: {lost[:20]}"


def test_trimmed_css_keeps_the_licence_the_variables_and_the_reboot(full, trimmed):
    css = TRIMMED.read_text(encoding="utf-8")
    assert "Licensed under MIT" in css.split("*/", 1)[0]
    reboot = {selector for selector in full if not classes_of(selector)}
    assert reboot <= trimmed, sorted(reboot - trimmed)[:20]
    assert {":root", "[data-bs-theme=dark]", "[data-bs-theme=dark] .form-select"} <= trimmed


def test_trimmed_css_is_well_under_half_of_bootstrap_gzipped():
    def gzipped(path: Path) -> int:
        return len(gzip.compress(path.read_bytes(), compresslevel=9))

    assert gzipped(TRIMMED) < 0.4 * gzipped(FULL), (gzipped(TRIMMED), gzipped(FULL))


def test_pages_link_the_trimmed_css_not_the_full_one():
    for path in (ROOT / "templates").rglob("*.html"):
        assert "bootstrap.min.css" not in path.read_text(encoding="utf-8"), path
    assert "vendor/bootstrap-5.3.9/bootstrap.trimmed.css" in (ROOT / "templates/base.html").read_text()
