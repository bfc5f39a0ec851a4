"""Byte budgets of the check-in page's first visit: deterministic sizes, not timings.

The HTML is measured as served (gzip). Static files are measured as whitenoise
serves them after collectstatic: gzip at level 9. The benchmark measures the
same page in Chromium over the wire.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTML_BUDGET = 14 * 1024  # the first round trip of a new TCP connection (initcwnd 10)
PAGE_BUDGET = 60 * 1024


def assets_of(page: str) -> list[str]:
    scripts = re.findall(r'<script src="/static/([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" href="/static/([^"]+)"', page)
    icons = re.findall(r'<link rel="icon" href="/static/([^"]+)"', page)
    return scripts + styles + icons


def gzipped_size(name: str) -> int:
    path = finders.find(name)
    assert path, f"{name} is not a static file"
    return len(gzip.compress(Path(path).read_bytes(), compresslevel=9))


def test_checkin_page_fits_its_byte_budget(runner_client, settings):
    settings.DEBUG = False
    response = runner_client.get(reverse("checkin_create"), headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    html_bytes = len(response.content)
    assert html_bytes <= HTML_BUDGET, html_bytes
    page = gzip.decompress(response.content).decode()
    assets = assets_of(page)
    assert any(name.endswith("htmx-2.min.js") for name in assets)
    assert "django_htmx/django-htmx.js" not in assets  # debug-only helper
    total = html_bytes + sum(gzipped_size(name) for name in assets)
    assert total <= PAGE_BUDGET, {name: gzipped_size(name) for name in assets} | {"html": html_bytes}


def test_no_javascript_beyond_htmx_and_our_own_small_scripts(runner_client):
    page = runner_client.get(reverse("checkin_create")).content.decode()
    scripts = re.findall(r'<script src="/static/([^"]+)"', page)
    ours = [name for name in scripts if name.startswith("js/")]
    others = [name for name in scripts if not name.startswith("js/")]
    assert all(name.startswith("django_htmx/") for name in others), others
    for name in ours:
        assert Path(finders.find(name)).stat().st_size <= 8 * 1024, name
