"""Build static/vendor/bootstrap-5.3.9/bootstrap.trimmed.css: Bootstrap less the rules our markup can't use.

Run it with `make css` (needs npx; PurgeCSS is fetched from npm at the pinned version). The output is
committed, so serving and testing the app never need npm. tests/test_css_trim.py fails when a template
uses a Bootstrap class that the trimmed file lacks.

Kept whole: the licence header, the CSS variables (:root, [data-bs-theme=light|dark]) and the reboot
(element rules up to `[hidden]`). Everything after it is kept only where PurgeCSS finds the class names
in the content below or in SAFELIST.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import crispy_bootstrap5
import django

PURGECSS = "purgecss@8.0.0"
ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static/vendor/bootstrap-5.3.9"
SOURCE = VENDOR / "bootstrap.min.css"
TARGET = VENDOR / "bootstrap.trimmed.css"
REBOOT_END = "[hidden]{display:none!important}"  # the last rule of Bootstrap's reboot

CONTENT = [
    "templates/**/*.html",
    "static/js/*.js",
    "checkins/**/*.py",  # forms set widget classes
    "advice/**/*.py",
    f"{Path(crispy_bootstrap5.__file__).parent}/templates/**/*.html",  # {{ form|crispy }}, {% crispy %}
    f"{Path(django.__file__).parent}/forms/templates/**/*.html",  # {{ field }}
]

# Classes that are only ever built in templates or scripts, so no scan can find them whole.
SAFELIST = [
    # templates/base.html: alert-{{ message.tags }}, with the tag "error" shown as danger
    "alert-success",
    "alert-info",
    "alert-warning",
    "alert-danger",
]


def main() -> int:
    css = SOURCE.read_text(encoding="utf-8")
    header_end = css.index("*/") + 2
    reboot_end = css.index(REBOOT_END) + len(REBOOT_END)
    marked = (
        css[:header_end]
        + "/*! purgecss start ignore */"
        + css[header_end:reboot_end]
        + "/*! purgecss end ignore */"
        + css[reboot_end:]
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp, "bootstrap.css")
        work.write_text(marked, encoding="utf-8")
        command = ["npx", "--yes", PURGECSS, "--css", str(work), "--keyframes", "--content", *CONTENT]
        command += ["--safelist", *SAFELIST]
        result = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: S603
    trimmed = json.loads(result.stdout)[0]["css"]
    for marker in ("/*! purgecss start ignore */", "/*! purgecss end ignore */"):
        trimmed = trimmed.replace(marker, "")
    assert trimmed.startswith(css[:header_end]), "the licence header was lost"
    TARGET.write_text(trimmed.rstrip() + "\n", encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(trimmed)} bytes, from {len(css)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
