"""The check-in flow: the form in the runner's units, saving once, the guidance, edit,
delete and the next-morning follow-up."""

from __future__ import annotations

import datetime as dt
import json
import uuid
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains

from checkins.forms import NOTHING_ANSWERED, FollowUpForm
from checkins.models import CheckIn, Run
from tests.factories import RunFactory
from tests.helpers import Tree, checkin_post, input_value

pytestmark = pytest.mark.django_db


def text_of(page: str, element_id: str) -> str:
    """The text of the element with this id, whitespace collapsed."""
    return Tree(page).root.find(id=element_id).text


# The previous run of the tests below: every answer a check-in used to carry over.
ALL_NINE = {
    "distance_km": 12.0,
    "duration_min": 70.0,
    "effort": 5,
    "run_type": "long",
    "fluid_ml": 500,
    "electrolytes_during": False,
    "carbs_before_g": 0,
    "carbs_before_min": 30,
    "cooldown": "walk",
}


def test_new_checkin_page_starts_empty_and_offers_the_previous_run(runner_client, runner, make_run):
    make_run(runner, started_at=timezone.now() - dt.timedelta(days=2), **ALL_NINE)
    response = runner_client.get(reverse("checkin_create"))
    form = response.context["form"]
    # Only the idempotency key and the finish (now): nothing of the previous run is filled in.
    assert set(form.initial) == {"idempotency_key", "finished_at"}
    assert isinstance(form.initial["idempotency_key"], uuid.UUID)
    assert "started_at" not in form.fields and form.fields["finished_at"].label == "Finished"
    # It is offered instead, per section, in the runner's units, behind a button.
    summaries = {section: offer["summary"] for section, offer in form.offers.items()}
    assert summaries == {
        "run": "12 km, 70 min, effort 5, long run",
        "fuel": "500 ml, no electrolytes, no carbohydrate",
        "stop": "jogged or walked easily",
    }
    assert json.loads(form.offers["fuel"]["values"]) == {
        "fluid": "500",
        "electrolytes_during": "no",
        "carbs_before_g": "0",
        "carbs_before_min": "30",
    }
    page = response.content.decode()
    offers = [el.text for el in Tree(page).root.find_all("button", cls="same-btn")]
    assert "Same as last run: 500 ml, no electrolytes, no carbohydrate" in offers
    fields = browser_defaults(page)
    assert fields["distance"] == fields["fluid"] == fields["carbs_before_g"] == ""
    assert not {"run_type", "effort", "cooldown", "electrolytes_during"} & set(fields)
    second = runner_client.get(reverse("checkin_create")).context["form"]
    assert second.initial["idempotency_key"] != form.initial["idempotency_key"]


def test_a_first_checkin_has_nothing_to_offer(runner_client):
    response = runner_client.get(reverse("checkin_create"))
    assert response.context["form"].offers == {}
    assert "Same as last run" not in response.content.decode()


def test_offers_in_imperial_units_and_only_what_was_answered(runner_client, runner, make_run):
    profile = runner.profile
    profile.distance_unit, profile.volume_unit = "mi", "floz"
    profile.save()
    make_run(runner, distance_km=16.0934, duration_min=None, effort=None, run_type="", fluid_ml=237)
    offers = runner_client.get(reverse("checkin_create")).context["form"].offers
    assert offers["run"]["summary"] == "10 mi"
    assert offers["fuel"]["summary"] == "8 fl oz"
    assert "stop" not in offers  # the previous run has no answer about stopping


def browser_defaults(page: str) -> dict:
    """What a browser sends for #checkin-form as rendered, before anyone touches it."""
    values: dict[str, list[str]] = {}
    for el in Tree(page).root.find("form", id="checkin-form").walk():
        name = el.attrs.get("name")
        if not name:
            continue
        if el.tag == "input" and (el.attrs.get("type") not in ("radio", "checkbox") or "checked" in el.attrs):
            values.setdefault(name, []).append(el.attrs.get("value", ""))
        elif el.tag == "textarea":
            values.setdefault(name, []).append("".join(el.parts))
    return {name: found if len(found) > 1 else found[0] for name, found in values.items()}


def stored_answers(run: Run) -> dict:
    """The run's answers but its day and what the check-in copies from the profile."""
    answers = Run.objects.with_checkin().get(pk=run.pk).answers()
    for key in ("date", "medications", "medication_changed"):
        answers.pop(key, None)
    return answers


def test_a_browser_post_stores_only_what_the_runner_touched(runner_client, runner, make_run):
    """Posted as a browser posts the rendered page: the previous run's answers are not stored."""
    make_run(
        runner, started_at=timezone.now() - dt.timedelta(days=2), checkin={"twitching": True}, **ALL_NINE
    )
    page = runner_client.get(reverse("checkin_create")).content.decode()
    data = browser_defaults(page)
    touched = {"temperature": "18", "twitching": "yes", "muscles": ["calves"], "intensity": "4"}
    response = runner_client.post(reverse("checkin_create"), {**data, **touched})
    assert response.status_code == 302, response.context["form"].errors
    run = Run.objects.filter(runner=runner).first()
    assert stored_answers(run) == {
        "temperature_c": 18.0,
        "twitching": True,
        "muscles": ["calves"],
        "intensity": 4,
    }
    for key in ("distance_km", "fluid_ml", "carbs_before_g", "electrolytes_during"):
        assert getattr(run, key) is None
    assert run.run_type == run.cooldown == ""
    # No time given: the run started when the page says it finished.
    finished = dt.datetime.strptime(data["finished_at"], "%Y-%m-%dT%H:%M")
    assert timezone.localtime(run.started_at).replace(tzinfo=None) == finished


def test_same_as_last_run_stores_what_it_filled_in_and_nothing_more(runner_client, runner, make_run):
    make_run(runner, started_at=timezone.now() - dt.timedelta(days=2), **ALL_NINE)
    response = runner_client.get(reverse("checkin_create"))
    data = browser_defaults(response.content.decode())
    fuel = json.loads(response.context["form"].offers["fuel"]["values"])  # what the button fills in
    runner_client.post(reverse("checkin_create"), {**data, **fuel, "twitching": "no"})
    run = Run.objects.filter(runner=runner).first()
    assert stored_answers(run) == {
        "fluid_ml": 500,
        "electrolytes_during": False,
        "carbs_before_g": 0,
        "carbs_before_min": 30,
        "twitching": False,
    }


def test_a_watch_file_fills_in_only_what_it_says(runner_client, runner, make_run):
    from checkins.transfer.import_jobs import PREFILL_KEY

    make_run(runner, started_at=timezone.now() - dt.timedelta(days=2), **ALL_NINE)
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    session = runner_client.session
    session[PREFILL_KEY] = {
        "started_at": start.isoformat(),
        "distance_km": 4.2,
        "duration_min": 23.0,
        "avg_heart_rate_bpm": 151,
        "source": "short.gpx",
    }
    session.save()
    response = runner_client.get(reverse("checkin_create"))
    form = response.context["form"]
    assert set(form.initial) == {
        "idempotency_key",
        "started_at",
        "distance",
        "duration_min",
        "avg_heart_rate_bpm",
    }
    assert "finished_at" not in form.fields  # the file says when it started
    # The run's own figures come from the file: its offer keeps only effort and type.
    assert form.offers["run"]["summary"] == "effort 5, long run"
    data = browser_defaults(response.content.decode())
    assert data["distance"] == "4.2" and "run_type" not in data
    runner_client.post(reverse("checkin_create"), data)
    run = Run.objects.filter(runner=runner).first()
    assert stored_answers(run) == {"distance_km": 4.2, "duration_min": 23.0}
    assert run.avg_heart_rate_bpm == 151 and run.started_at == start.replace(second=0)


def test_the_start_is_the_finish_less_the_time_on_the_runners_day(runner_client, runner):
    runner.profile.time_zone = "Pacific/Auckland"
    runner.profile.save()
    data = checkin_post(distance=None, duration_min="90", started_at=None, finished_at="2026-03-02T00:30")
    runner_client.post(reverse("checkin_create"), data)
    run = Run.objects.get(runner=runner)
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    assert run.started_at == dt.datetime(2026, 3, 1, 23, 0, tzinfo=zone)
    assert run.date == dt.date(2026, 3, 1)  # the day it started, in the runner's zone


def test_a_finish_in_the_future_is_refused_at_its_field(runner_client, runner):
    later = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = runner_client.post(
        reverse("checkin_create"), checkin_post(started_at=None, finished_at=later, notes="kept")
    )
    refused = "Enter a finish from 1 Jan 1995 up to now."
    assert response.context["form"].errors["finished_at"] == [refused]
    assert text_of(response.content.decode(), "err-finished_at") == refused
    assert not Run.objects.exists()


def test_edit_asks_for_the_start_and_keeps_it(runner_client, runner, make_run):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(days=1)
    run = make_run(runner, started_at=start, checkin={"twitching": True})
    response = runner_client.get(reverse("run_edit", args=[run.pk]))
    form = response.context["form"]
    assert "finished_at" not in form.fields and form.fields["started_at"].label == "Started"
    assert form.initial["distance"] == 10  # the run's own answers: what the runner said
    assert form.offers == {}
    data = browser_defaults(response.content.decode())
    runner_client.post(reverse("run_edit", args=[run.pk]), {**data, "duration_min": "80"})
    run.refresh_from_db()
    assert (run.started_at, run.duration_min) == (start, 80.0)


EMPTY_SAVE_SUMMARY = (
    "Some answers need a look: Distance (km), Time (minutes), Twitching. Nothing you typed is lost."
)


@pytest.mark.parametrize("htmx", [False, True])
def test_an_empty_save_is_refused_at_the_top_and_at_the_fields(runner_client, runner, make_run, htmx):
    make_run(runner, started_at=timezone.now() - dt.timedelta(days=2), **ALL_NINE)
    before = Run.objects.count()
    data = browser_defaults(runner_client.get(reverse("checkin_create")).content.decode())
    headers = {"HX-Request": "true"} if htmx else {}
    response = runner_client.post(
        reverse("checkin_create"), {**data, "notes": "tired legs", "fluid": "400"}, headers=headers
    )
    assert response.status_code == 200
    assert Run.objects.count() == before
    page = response.content.decode()
    summary = text_of(page, "form-errors")
    assert summary.startswith(NOTHING_ANSWERED)
    assert summary.endswith(EMPTY_SAVE_SUMMARY)
    for slot in ("err-distance", "err-duration_min", "err-twitching"):
        assert text_of(page, slot), slot
    assert "tired legs" in page and input_value(page, "fluid") == "400"  # nothing typed is lost
    assert "Same as last run" in page  # the offers are still there


@pytest.mark.parametrize(
    "answer", [{"distance": "5"}, {"duration_min": "20"}, {"twitching": "no"}, {"twitching": "yes"}]
)
def test_one_answer_about_the_run_or_twitching_is_enough(runner_client, runner, answer):
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "finished_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    assert runner_client.post(reverse("checkin_create"), {**data, **answer}).status_code == 302
    assert Run.objects.filter(runner=runner).count() == 1


def test_the_error_summary_lists_the_fields_cleanly(runner_client, runner):
    response = runner_client.post(
        reverse("checkin_create"), checkin_post(distance="500", temperature="90", effort="11")
    )
    summary = text_of(response.content.decode(), "form-errors")
    assert summary == (
        "Some answers need a look: Distance (km), Effort, Temperature (°C). Nothing you typed is lost."
    )
    assert " ," not in summary and " ." not in summary


def test_the_preview_does_not_ask_for_answers_while_the_runner_is_answering(runner_client):
    data = {"idempotency_key": str(uuid.uuid4()), "finished_at": "", "effort": "5"}
    response = runner_client.post(reverse("checkin_preview"), data, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert text_of(page, "err-distance") == text_of(page, "err-twitching") == ""
    assert text_of(page, "preview-summary").startswith("Advice so far")


def test_saving_stores_metric_and_leads_to_the_guidance(runner_client, runner):
    response = runner_client.post(reverse("checkin_create"), checkin_post())
    run = Run.objects.get(runner=runner)
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    assert (run.distance_km, run.temperature_c, run.fluid_ml, run.cooldown) == (14.0, 31.0, 250, "none")
    assert run.checkin.twitching is True
    assert run.checkin.muscles == ["calves"]
    assert run.checkin.urine_color == 6


def test_imperial_answers_are_stored_in_metric(runner_client, runner):
    profile = runner.profile
    profile.distance_unit, profile.temperature_unit, profile.volume_unit = "mi", "f", "floz"
    profile.save()
    runner_client.post(reverse("checkin_create"), checkin_post(distance="10", temperature="88", fluid="8"))
    run = Run.objects.get(runner=runner)
    assert run.distance_km == pytest.approx(16.0934, abs=1e-3)
    assert run.temperature_c == pytest.approx(31.11, abs=0.01)
    assert run.fluid_ml == 237


def test_the_same_key_twice_stores_one_run(runner_client, runner):
    data = checkin_post()
    first = runner_client.post(reverse("checkin_create"), data)
    second = runner_client.post(reverse("checkin_create"), data)
    assert Run.objects.filter(runner=runner).count() == 1
    assert CheckIn.objects.filter(run__runner=runner).count() == 1
    assert first["Location"] == second["Location"]


def test_another_runners_key_does_not_collide(runner_client, runner, other_runner):
    key = uuid.uuid4()
    RunFactory(runner=other_runner, idempotency_key=key)
    runner_client.post(reverse("checkin_create"), checkin_post(idempotency_key=str(key)))
    assert Run.objects.filter(runner=runner, idempotency_key=key).count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("distance", "500", "Enter a number above 0 up to 300 km."),
        ("distance", "-3", "Enter a number above 0 up to 300 km."),
        ("duration_min", "0", "Enter a number above 0 up to 2000 min."),
        ("temperature", "80", "Enter a number from -40 up to 50 °C."),
        ("humidity_pct", "120", "Enter a number from 0 up to 100 %."),
        ("fluid", "9000", "Enter a number from 0 up to 6000 ml."),
        ("weight_before", "20", "Enter a number from 25 up to 250 kg."),
        ("distance", "ten", "Enter a number."),
        ("effort", "11", "Select a valid choice."),
        ("muscles", ["tail"], "Select a valid choice."),
        ("started_at", "yesterday", "Enter a valid date/time."),
    ],
)
def test_bad_input_is_named_at_its_field_and_nothing_typed_is_lost(
    runner_client, runner, field, value, message
):
    data = checkin_post(**{field: value, "notes": "legs felt heavy"})
    response = runner_client.post(reverse("checkin_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "legs felt heavy" in page  # what was typed is sent back as typed
    if isinstance(value, str) and field not in ("effort", "started_at"):
        assert input_value(page, field) == value
    assert not Run.objects.filter(runner=runner).exists()


def test_htmx_save_redirects_the_client_and_errors_swap_the_form(runner_client, runner):
    response = runner_client.post(reverse("checkin_create"), checkin_post(), headers={"HX-Request": "true"})
    run = Run.objects.get(runner=runner)
    assert response["HX-Redirect"] == reverse("run_detail", args=[run.pk])
    response = runner_client.post(
        reverse("checkin_create"), checkin_post(distance="999"), headers={"HX-Request": "true"}
    )
    swapped = Tree(response.content.decode()).root
    assert [el.tag for el in swapped.children] == ["form"]  # only the form, to swap in
    assert swapped.find("form").attrs["id"] == "checkin-form"
    assert text_of(response.content.decode(), "err-distance") == "Enter a number above 0 up to 300 km."


def test_preview_shows_advice_and_field_errors_without_storing(runner_client, runner):
    response = runner_client.post(
        reverse("checkin_preview"), checkin_post(humidity_pct="250"), headers={"HX-Request": "true"}
    )
    preview = Tree(response.content.decode()).root
    assert preview.find(data_cause="dehydration")
    assert "31 °C" in preview.text
    slot = preview.find(id="err-humidity_pct", cls="field-error", hx_swap_oob="true")
    assert slot.text == "Enter a number from 0 up to 100 %."
    assert not Run.objects.exists()


def test_guidance_page_puts_red_flags_first_with_the_notice(runner_client, runner):
    runner_client.post(
        reverse("checkin_create"), checkin_post(cramps="yes", symptoms=["dizziness", "thirst"])
    )
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    flag_at = page.index('data-flag="severe_cramps"')
    # The urgent flag leads: no cause or tip comes before it (the engine may hold them back).
    for marker in ('data-cause="', 'data-tip="'):
        assert page.find(marker) == -1 or page.find(marker) > flag_at, marker
    flag_html = page[flag_at : page.index("</div>", flag_at)]
    assert "emergency" in flag_html.lower()
    assert "medical device" in page[page.index("<main") :]


def test_guidance_quotes_the_runners_own_figures_and_evidence(runner_client, runner):
    runner_client.post(reverse("checkin_create"), checkin_post())
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    cause_at = page.index('data-cause="dehydration"')
    cause = page[cause_at : page.index("</li>", cause_at)]
    assert "85 min" in cause and "31 °C" in cause
    assert "250 ml drunk" in page
    assert "Evidence: " in page
    assert "Sawka" in page
    # Tips are grouped: now, before the next run, this week.
    assert page.index(">Now<") < page.index(">Before your next run<")


def test_edit_updates_the_same_run(runner_client, runner):
    runner_client.post(reverse("checkin_create"), checkin_post())
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_edit", args=[run.pk]))
    assert page.context["form"].initial["temperature"] == 31
    data = checkin_post(idempotency_key=str(uuid.uuid4()), temperature="18", twitching="no")
    response = runner_client.post(reverse("run_edit", args=[run.pk]), data)
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    run.refresh_from_db()
    assert Run.objects.filter(runner=runner).count() == 1
    assert run.temperature_c == 18
    assert run.checkin.twitching is False
    assert run.checkin.muscles == []  # details of a "yes" go with it


def test_delete_asks_first_then_removes_run_and_checkin(runner_client, runner):
    runner_client.post(reverse("checkin_create"), checkin_post())
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_delete", args=[run.pk]))
    assert "will be gone for good" in page.content.decode()
    assert Run.objects.filter(pk=run.pk).exists()
    response = runner_client.post(reverse("run_delete", args=[run.pk]))
    assert response["Location"] == reverse("home")
    assert not Run.objects.filter(pk=run.pk).exists()
    assert not CheckIn.objects.filter(run_id=run.pk).exists()


def test_followup_the_next_morning_raises_the_sleep_flag(runner_client, runner):
    yesterday = timezone.now() - dt.timedelta(days=1)
    data = checkin_post(started_at=timezone.localtime(yesterday).strftime("%Y-%m-%dT%H:%M"))
    runner_client.post(reverse("checkin_create"), data)
    run = Run.objects.get(runner=runner)
    home = runner_client.get(reverse("home"))
    assert home.context["followup"].run == run
    assert reverse("followup", args=[run.pk]) in home.content.decode()

    response = runner_client.post(
        reverse("followup", args=[run.pk]),
        {"sleep_disrupted": "yes", "still_twitching": "yes", "weakness": "no", "daily_life_disrupted": "no"},
    )
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    run.checkin.refresh_from_db()
    assert run.checkin.sleep_disrupted is True
    assert run.checkin.followup_at is not None
    page = Tree(runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()).root
    assert page.find(data_flag="sleep")
    assert runner_client.get(reverse("home")).context["followup"] is None


def twitchy_run(make_run, runner, days_ago: int, **checkin):
    started = timezone.now() - dt.timedelta(days=days_ago)
    return make_run(runner, started_at=started, checkin={"twitching": True, "intensity": 4, **checkin})


def test_followup_with_nothing_answered_is_refused_and_stays_open(runner_client, runner, make_run):
    run = twitchy_run(make_run, runner, 1, weakness=False)
    page = runner_client.get(reverse("followup", args=[run.pk])).content.decode()
    assert "checked" not in page  # asked afresh: the check-in's "no weakness" is not pre-ticked
    response = runner_client.post(reverse("followup", args=[run.pk]), {})
    assert response.status_code == 200
    page = response.content.decode()
    assert text_of(page, "form-errors") == FollowUpForm.NOTHING_ANSWERED
    for name in ("sleep_disrupted", "still_twitching", "weakness", "daily_life_disrupted"):
        assert text_of(page, f"err-{name}") == "Not answered yet."
    run.checkin.refresh_from_db()
    assert run.checkin.followup_at is None and run.checkin.weakness is False
    assert runner_client.get(reverse("home")).context["followup"] == run.checkin
    assert runner_client.get(reverse("run_detail", args=[run.pk])).context["followup_due"]
    # One answer is enough; what was not answered keeps the check-in's answer.
    runner_client.post(reverse("followup", args=[run.pk]), {"still_twitching": "no"})
    run.checkin.refresh_from_db()
    assert run.checkin.followup_at is not None
    assert (run.checkin.still_twitching, run.checkin.weakness) == (False, False)
    assert runner_client.get(reverse("home")).context["followup"] is None


@pytest.mark.parametrize(("days_ago", "is_open"), [(0, False), (1, True), (2, True), (3, True), (4, False)])
def test_followup_stays_open_for_three_days_on_home_and_the_run_page_alike(
    runner_client, runner, make_run, days_ago, is_open
):
    run = twitchy_run(make_run, runner, days_ago)
    home = runner_client.get(reverse("home"))
    detail = runner_client.get(reverse("run_detail", args=[run.pk]))
    assert (home.context["followup"] is not None) is is_open
    assert detail.context["followup_due"] is is_open
    link = reverse("followup", args=[run.pk])
    assert (link in home.content.decode()) is is_open
    assert (link in detail.content.decode()) is is_open


def test_followup_due_and_open_followup_are_one_rule(runner, make_run):
    from checkins.followups import FOLLOWUP_DAYS, followup_due, open_followup

    today = timezone.localdate()
    cases = [({"twitching": True}, d) for d in range(-1, FOLLOWUP_DAYS + 3)]
    cases += [
        ({"twitching": False}, 1),
        ({"twitching": None}, 1),
        ({"twitching": True, "followup_at": timezone.now()}, 1),
    ]
    for checkin, days_ago in cases:
        CheckIn.objects.all().delete()
        run = make_run(runner, started_at=timezone.now() - dt.timedelta(days=days_ago), checkin=checkin)
        loaded = Run.objects.with_checkin().get(pk=run.pk)
        assert followup_due(loaded.checkin, loaded.date, today) is (
            open_followup(runner, today) is not None
        ), (
            checkin,
            days_ago,
        )


@pytest.mark.parametrize(
    ("utc_hour", "zone", "words"),
    [
        (7, "UTC", "this morning"),
        (7, "America/Los_Angeles", "tonight"),  # 23:00 the day before there
        (14, "UTC", "this afternoon"),
        (14, "Asia/Tokyo", "tonight"),  # 23:00 there
        (19, "UTC", "this evening"),
        (19, "Australia/Sydney", "this morning"),  # 06:00 the next day there
    ],
)
def test_followup_says_this_morning_only_in_the_runners_morning(
    runner_client, runner, make_run, utc_hour, zone, words
):
    from unittest import mock

    runner.profile.time_zone = zone
    runner.profile.save()
    run = twitchy_run(make_run, runner, 1)
    now = timezone.now().replace(hour=utc_hour, minute=0)
    with mock.patch("django.utils.timezone.now", return_value=now):
        page = runner_client.get(reverse("followup", args=[run.pk])).content.decode()
    assert f"How are you {words}?" in page
    assert f"Is it still twitching {words}?" in page
    for other in {"this morning", "this afternoon", "this evening", "tonight"} - {words}:
        assert other not in page


def test_home_and_run_page_word_the_followup_for_the_whole_day(runner_client, runner, make_run):
    """They are cached for the day: their wording holds at any hour."""
    run = twitchy_run(make_run, runner, 1)
    home = runner_client.get(reverse("home")).content.decode()
    detail = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert "How are you today?" in home and "this morning" not in home
    assert "Answer today's follow-up" in detail and "this morning" not in detail


def test_medicines_are_copied_from_the_profile_at_check_in(runner_client, runner):
    runner.profile.medications = ["diuretics"]
    runner.profile.save()
    runner_client.post(reverse("checkin_create"), checkin_post())
    checkin = CheckIn.objects.get(run__runner=runner)
    assert checkin.medications == ["diuretics"]
    runner.profile.medications = []
    runner.profile.save()
    checkin.refresh_from_db()
    assert checkin.medications == ["diuretics"]


@pytest.mark.parametrize("earlier_runs", [3, 30])
def test_run_pages_keep_a_fixed_query_count(
    runner_client, runner, make_run, django_assert_num_queries, earlier_runs
):
    run = make_run(runner, checkin={"twitching": True, "muscles": ["calves"]})
    for days in range(1, earlier_runs + 1):
        make_run(runner, started_at=timezone.now() - dt.timedelta(days=days), checkin={"twitching": False})
    # Every request's five (session, runner, profile, savepoint, release), then the run with
    # its check-in and its 35-day history; for the same log the page cache serves it.
    with django_assert_num_queries(7):
        assert runner_client.get(reverse("run_detail", args=[run.pk])).status_code == 200
    with django_assert_num_queries(5):
        assert runner_client.get(reverse("run_detail", args=[run.pk])).status_code == 200
    # The check-in pages open no transaction of their own (session, runner, profile), then
    # the run with its check-in, or the previous run for "Same as last run", and the
    # experiment of the run's day or going on (checkins.experiments.checkin).
    with django_assert_num_queries(5):
        assert runner_client.get(reverse("run_edit", args=[run.pk])).status_code == 200
    with django_assert_num_queries(5):
        runner_client.get(reverse("checkin_create"))


RUN_URLS = ("run_detail", "run_edit", "run_delete", "followup")


@pytest.mark.parametrize("name", RUN_URLS)
def test_another_runners_run_is_not_found(client, other_runner, runner, make_run, name):
    run = make_run(runner, checkin={"twitching": True})
    client.force_login(other_runner)
    assert client.get(reverse(name, args=[run.pk])).status_code == 404
    # A POST is refused too: not found, or not allowed on a read-only page.
    assert client.post(reverse(name, args=[run.pk]), checkin_post()).status_code in (404, 405)
    run.refresh_from_db()
    assert run.distance_km == 10.0
    assert run.checkin.sleep_disrupted is None


def test_preview_of_another_runners_run_is_not_found(client, other_runner, runner, make_run):
    run = make_run(runner)
    client.force_login(other_runner)
    response = client.post(reverse("checkin_preview") + f"?run={run.pk}", checkin_post())
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["checkin_create", "checkin_preview"])
def test_checkin_pages_need_a_login(client, name):
    response = client.post(reverse(name), checkin_post())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_edit_of_a_run_deleted_meanwhile_answers_404_and_does_not_bring_it_back(runner_client, runner):
    from unittest import mock

    runner_client.post(reverse("checkin_create"), checkin_post())
    stale = Run.objects.get(runner=runner)  # the edit page loaded it...
    Run.objects.filter(pk=stale.pk).delete()  # ...then another tab deleted it
    with mock.patch("checkins.views._runner_run", return_value=stale):
        response = runner_client.post(reverse("run_edit", args=[stale.pk]), checkin_post(temperature="18"))
    assert response.status_code == 404
    assert not Run.objects.filter(pk=stale.pk).exists()
    assert not CheckIn.objects.filter(run_id=stale.pk).exists()


def test_an_edit_adds_to_a_check_in_stored_meanwhile(runner, make_run):
    from checkins.saving import save_checkin

    run = make_run(runner)  # an imported run: no check-in yet
    stale = Run.objects.get(pk=run.pk)
    CheckIn.objects.create(run=run, twitching=True, intensity=2)  # a first edit saved meanwhile
    saved, created = save_checkin(
        runner=runner,
        profile=runner.profile,
        run_values={"started_at": run.started_at, "distance_km": 9.0},
        checkin_values={"twitching": True, "intensity": 5},
        key=run.idempotency_key,
        run=stale,
    )
    assert (saved.pk, created) == (run.pk, False)
    assert CheckIn.objects.filter(run=run).count() == 1
    assert CheckIn.objects.get(run=run).intensity == 5


def test_check_in_forms_share_their_choices_but_nothing_a_form_may_change():
    from advice import Units
    from checkins.forms import CheckInForm

    metric = CheckInForm(units=Units())
    imperial = CheckInForm(units=Units(distance="mi", temperature="f", volume="floz", weight="lb"))
    assert metric.fields["muscles"].choices is imperial.fields["muscles"].choices  # not copied per form
    metric.fields["muscles"].widget.attrs["data-probe"] = "1"
    metric.fields["intensity"].error_messages["invalid_choice"] = "probe"
    metric.fields["cramps"].validators.append(lambda value: None)
    for fields in (imperial.fields, CheckInForm.base_fields):
        assert "data-probe" not in fields["muscles"].widget.attrs
        assert fields["intensity"].error_messages["invalid_choice"] != "probe"
        assert fields["cramps"].validators == []
    assert metric.fields["distance"].label != imperial.fields["distance"].label


def test_weights_are_labelled_in_the_runners_unit(runner_client, runner):
    from checkins.models import Profile
    from tests.factories import METRIC_PROFILE_FORM

    Profile.objects.filter(runner=runner).update(weight_unit="lb", body_weight_kg=70.0)
    form = runner_client.get(reverse("checkin_create")).context["form"]
    assert (form["weight_before"].label, form["weight_after"].label) == (
        "Weight before (lb)",
        "Weight after (lb)",
    )
    response = runner_client.get(reverse("profile"))
    # Both labels are in the page; the ticked unit's shows (CSS follows the radio as it is ticked).
    assertContains(response, '<span class="wu wu-lb">Body weight (lb)</span>', html=True)
    assertContains(response, '<span class="wu wu-kg wu-other">Body weight (kg)</span>', html=True)
    assert input_value(response.content.decode(), "body_weight") == "154.3"
    # Kilograms ticked, the weight left as shown: the same weight, not 154.3 kg.
    response = runner_client.post(reverse("profile"), {**METRIC_PROFILE_FORM, "body_weight": "154.3"})
    assert response.status_code == 302
    profile = Profile.objects.get(runner=runner)
    assert (profile.weight_unit, profile.body_weight_kg) == ("kg", 70.0)
    # A weight typed after ticking pounds is in pounds; a refused form labels the ticked unit.
    response = runner_client.post(
        reverse("profile"),
        {**METRIC_PROFILE_FORM, "weight_unit": "lb", "body_weight": "600", "time_zone": "UTC"},
    )
    assert response.context["form"].errors["body_weight"] == ["Enter a number from 55.1 up to 551.2 lb."]
    assertContains(response, '<span class="wu wu-lb">Body weight (lb)</span>', html=True)
