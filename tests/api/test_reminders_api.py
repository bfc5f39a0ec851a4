"""A check-in through the API schedules the next-morning reminder as the page's does, and
deleting the run through the API removes it (checkins.reminders)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from checkins.models import Reminder, ReminderSettings
from tests.api.test_checkins import HOT_RUN

pytestmark = pytest.mark.django_db


def test_an_api_check_in_schedules_its_reminder_and_deleting_the_run_removes_it(api, runner):
    runner.profile.time_zone = "Europe/Berlin"
    runner.profile.save()
    ReminderSettings.objects.create(runner=runner, followup=True, channel="email", local_time=dt.time(7, 15))
    with time_machine.travel(dt.datetime(2026, 10, 24, 17, 0, tzinfo=dt.UTC), tick=False):
        response = api.post("/api/v1/checkins", {**HOT_RUN, "started_at": "2026-10-24T15:00:00Z"})
        assert response.status_code == 201, response.content
        run_id = response.json()["run"]["id"]
        reminder = Reminder.objects.get(run_id=run_id)
        assert reminder.due_at == dt.datetime(2026, 10, 25, 6, 15, tzinfo=dt.UTC)  # 07:15 CET
        assert api.delete(f"/api/v1/runs/{run_id}").status_code == 204
    assert not Reminder.objects.exists()
