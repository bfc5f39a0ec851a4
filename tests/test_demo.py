"""The demo runner that `make run` loads: about 60 days, realistic, re-loadable."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from advice import assess
from checkins.demo import DEMO_EMAIL, DEMO_PASSWORD
from checkins.models import CheckIn, Run, User

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_about_sixty_days_and_says_how_to_log_in():
    out = io.StringIO()
    call_command("seed_demo", "--url", "http://127.0.0.1:8123", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8123/accounts/login/" in text
    assert DEMO_EMAIL in text and DEMO_PASSWORD in text
    runner = User.objects.get(email=DEMO_EMAIL)
    assert runner.check_password(DEMO_PASSWORD)
    assert runner.profile.has_acknowledged_notice
    runs = Run.objects.for_runner(runner).with_checkin()
    dates = sorted(run.date for run in runs)
    assert 30 <= len(dates) <= 61
    assert (dates[-1] - dates[0]).days >= 50
    assert CheckIn.objects.filter(run__runner=runner).count() == len(dates)
    twitching = [run for run in runs if run.checkin.twitching]
    assert 0.1 * len(dates) < len(twitching) < 0.8 * len(dates)
    # Every run is valid for the database and gives advice without trouble.
    for run in runs:
        run.full_clean()
        assess(run.answers())


def test_seed_demo_again_replaces_rather_than_duplicates():
    call_command("seed_demo", stdout=io.StringIO())
    first = Run.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Run.objects.count() == first
    assert User.objects.filter(email=DEMO_EMAIL).count() == 1


def test_demo_history_ends_today():
    from django.utils import timezone

    call_command("seed_demo", stdout=io.StringIO())
    newest = Run.objects.order_by("-date").first().date
    assert (timezone.localdate() - newest) <= dt.timedelta(days=3)
