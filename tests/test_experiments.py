"""Experiments in the app: starting one (from a tips page or a pattern), the red flag that
blocks it, the check-in's question, stopping, the result in the history and the doctor's
report, and the export that loads back."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from checkins.experiments.running import (
    ONE_AT_A_TIME,
    Refused,
    current_experiment,
    shown_experiments,
    start_experiment,
    stop_experiment,
)
from checkins.models import CheckIn, Experiment, Run
from checkins.transfer.export import export_data, import_data
from tests.factories import CheckInFactory, RunFactory
from tests.helpers import checkin_post, main_of

pytestmark = pytest.mark.django_db


def start_form(change="cooldown_walk", weeks="2", alternating=False, key=None) -> dict:
    return {
        "idempotency_key": str(key or uuid.uuid4()),
        "change": change,
        "weeks": weeks,
        "alternating": "yes" if alternating else "no",
    }


def open_red_flag(runner) -> Run:
    """A run of yesterday with twitching and weakness: the `weakness` red flag, unread."""
    run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=1))
    CheckInFactory(run=run, twitching=True, muscles=["calves"], weakness=True)
    return run


def begin(runner, change="cooldown_walk", weeks=2, alternating=False, today=None) -> Experiment:
    experiment, created = start_experiment(
        runner,
        runner.profile,
        change=change,
        weeks=weeks,
        alternating=alternating,
        key=uuid.uuid4(),
        today=today or timezone.localdate(),
    )
    assert created
    return experiment


# --- Starting ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tips", "change"),
    [
        ("tips_cooldown", "cooldown_walk"),
        ("tips_hydration", "electrolytes_long_runs"),
        ("tips_fuelling", "carbs_before"),
    ],
)
def test_each_tips_page_offers_its_change_as_an_experiment(runner_client, tips, change):
    page = main_of(runner_client.get(reverse(tips)))
    link = page.find("a", href=f"{reverse('experiment_start')}?change={change}")
    assert link.text == "Try it as an experiment"


def test_the_start_page_ticks_the_offered_change_visibly_and_stores_nothing(runner_client, runner):
    page = main_of(runner_client.get(reverse("experiment_start") + "?change=carbs_before"))
    ticked = [el.attrs["value"] for el in page.find_all("input", name="change") if "checked" in el.attrs]
    assert ticked == ["carbs_before"]
    assert [el.attrs.get("checked") for el in page.find_all("input", name="weeks")] == [None, None, None]
    assert not Experiment.objects.exists()


def test_two_weeks_in_turns_is_refused_at_its_field_as_too_short_to_tell(runner_client, runner):
    response = runner_client.post(reverse("experiment_start"), start_form(weeks="2", alternating=True))
    assert response.status_code in (200, 400)
    assert "too few runs to tell" in " ".join(response.context["form"].errors["alternating"])
    assert not Experiment.objects.exists()
    runner_client.post(reverse("experiment_start"), start_form(weeks="2", alternating=False))
    assert Experiment.objects.filter(runner=runner, weeks=2, alternating=False).exists()


def test_starting_stores_one_experiment_and_shows_it(runner_client, runner):
    response = runner_client.post(reverse("experiment_start"), start_form(weeks="3", alternating=True))
    experiment = Experiment.objects.get(runner=runner)
    assert response.status_code == 302 and response["Location"] == reverse(
        "experiment_detail", args=[experiment.pk]
    )
    assert (experiment.change, experiment.weeks, experiment.alternating) == ("cooldown_walk", 3, True)
    assert experiment.start_day == timezone.localdate() and experiment.active
    page = main_of(runner_client.get(response["Location"]))
    assert "Experiment: a cool-down walk" in page.find("h1").text
    assert page.find(cls="experiment-headline").text.startswith("Not enough to tell yet")


def test_a_double_tap_stores_one_experiment(runner_client, runner):
    data = start_form()
    first = runner_client.post(reverse("experiment_start"), data)
    second = runner_client.post(reverse("experiment_start"), data)
    assert Experiment.objects.filter(runner=runner).count() == 1
    # The second tap leads to the experiment the first one started.
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_the_same_key_again_returns_the_same_experiment(runner):
    key = uuid.uuid4()
    args = {
        "change": "cooldown_walk",
        "weeks": 2,
        "alternating": False,
        "key": key,
        "today": timezone.localdate(),
    }
    first, created = start_experiment(runner, runner.profile, **args)
    again, created_again = start_experiment(runner, runner.profile, **args)
    assert created and not created_again and first.pk == again.pk


def test_one_experiment_at_a_time(runner_client, runner):
    begin(runner)
    with pytest.raises(Refused, match="going already"):
        begin(runner, change="carbs_before")
    response = runner_client.post(reverse("experiment_start"), start_form("carbs_before"))
    assertContains(response, ONE_AT_A_TIME)
    assert Experiment.objects.filter(runner=runner).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"change": "stop_statins"}, "change"),
        ({"weeks": "6"}, "weeks"),
        ({"weeks": ""}, "weeks"),
        ({"idempotency_key": "x"}, "idempotency_key"),
        ({"alternating": "maybe"}, "alternating"),
    ],
)
def test_bad_input_is_refused_at_its_field_and_stores_nothing(runner_client, runner, data, field):
    response = runner_client.post(reverse("experiment_start"), {**start_form(), **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Experiment.objects.exists()


def test_the_next_experiment_starts_after_the_last_days_of_the_one_stopped_today(runner):
    first = begin(runner)
    stop_experiment(first, timezone.localdate())
    second = begin(runner, change="carbs_before")
    assert second.start_day == timezone.localdate() + dt.timedelta(days=1)
    assert not Experiment.objects.get(pk=first.pk).active


def test_a_finished_experiment_makes_room_for_the_next(runner):
    today = timezone.localdate()
    first = begin(runner, today=today - dt.timedelta(days=20))
    assert current_experiment(runner, today) is None
    second = begin(runner, change="carbs_before", today=today)
    assert second.start_day == today
    assert list(Experiment.objects.filter(runner=runner, active=True)) == [second]
    assert not Experiment.objects.get(pk=first.pk).active


# --- A red flag comes first ---------------------------------------------------------------


def test_an_open_red_flag_sends_the_runner_to_a_doctor_and_offers_no_experiment(runner_client, runner):
    flagged = open_red_flag(runner)
    for url in (reverse("experiment_start") + "?change=cooldown_walk", reverse("experiments")):
        page = main_of(runner_client.get(url))
        assert page.find("h2", id="doctor-first-title").text == "See a doctor first"
        assert not page.find_all("input", name="change")
        assert not page.find_all("a", href=f"{reverse('experiment_start')}?change=cooldown_walk")
        assert page.find("a", href=reverse("run_detail", args=[flagged.pk]))
    response = runner_client.post(reverse("experiment_start"), start_form())
    assertContains(response, "See a doctor first")
    assert not Experiment.objects.exists()
    with pytest.raises(Refused, match="See a doctor first"):
        begin(runner)


def test_once_the_flag_is_read_an_experiment_can_start(runner_client, runner):
    flagged = open_red_flag(runner)
    runner_client.post(reverse("flags_seen", args=[flagged.pk]))
    runner_client.post(reverse("experiment_start"), start_form())
    assert Experiment.objects.filter(runner=runner).count() == 1


def test_an_experiment_going_on_asks_nothing_while_a_red_flag_is_open(runner_client, runner):
    begin(runner)
    open_red_flag(runner)
    page = main_of(runner_client.get(reverse("checkin_create")))
    assert not page.find_all(cls="experiment-question")
    listing = main_of(runner_client.get(reverse("experiments")))
    assert listing.find("h2", id="doctor-first-title")
    assert not listing.find_all(cls="experiment-result")
    # The flag leads: no invitation above it, and on the experiment's own page no result
    # (it could read as reassurance) and no offer of nudges, only the way to stop it.
    first = next(el for el in listing.children if getattr(el, "tag", None) not in (None, "h1"))
    assert "doctor-first" in str(first.attrs) or first.find("h2", id="doctor-first-title")
    assert "Does a change help you?" not in listing.text
    experiment = Experiment.objects.get(runner=runner)
    detail = main_of(runner_client.get(reverse("experiment_detail", args=[experiment.pk])))
    assert detail.find("h2", id="doctor-first-title")
    assert not detail.find_all(cls="experiment-result") and not detail.find_all(cls="experiment-nudge")
    assert not detail.find_all("h2", id="result-title")
    assert detail.find("form", action=reverse("experiment_stop", args=[experiment.pk]))


# --- The check-in's question -----------------------------------------------------------------


def test_the_checkin_shows_the_experiment_and_its_question(runner_client, runner):
    begin(runner, change="carbs_before", weeks=3)
    page = main_of(runner_client.get(reverse("checkin_create")))
    assert page.find(id="experiment-line").text == (
        "Your experiment: some carbohydrate an hour before running, week 1 of 3."
    )
    legend = page.find(cls="experiment-question").find("legend").text
    assert legend.startswith("Did you eat something with 30 to 60 g of carbohydrate")
    assert [el.attrs["value"] for el in page.find_all("input", name="experiment_kept")] == ["yes", "no"]
    assert not any("checked" in el.attrs for el in page.find_all("input", name="experiment_kept"))


def test_an_off_week_asks_whether_they_kept_to_their_usual(runner_client, runner):
    today = timezone.localdate()
    begin(runner, alternating=True, today=today - dt.timedelta(days=8))
    Experiment.objects.update(start_day=today - dt.timedelta(days=8))
    page = main_of(runner_client.get(reverse("checkin_create")))
    assert "week 2 of 2, a week without the change" in page.find(id="experiment-line").text
    assert "keep to your usual" in page.find(cls="experiment-question").find("legend").text


@pytest.mark.parametrize(("answer", "stored"), [(None, None), ("yes", True), ("no", False)])
def test_the_answer_is_stored_only_when_given(runner_client, runner, answer, stored):
    begin(runner)
    runner_client.post(reverse("checkin_create"), checkin_post(experiment_kept=answer))
    assert CheckIn.objects.get(run__runner=runner).experiment_kept is stored


def test_without_an_experiment_no_answer_is_stored(runner_client, runner):
    page = main_of(runner_client.get(reverse("checkin_create")))
    assert not page.find_all(cls="experiment-question")
    runner_client.post(reverse("checkin_create"), checkin_post(experiment_kept="yes"))
    assert CheckIn.objects.get(run__runner=runner).experiment_kept is None


def test_a_run_before_the_experiment_stores_no_answer(runner_client, runner):
    begin(runner)
    earlier = (timezone.localtime() - dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    runner_client.post(reverse("checkin_create"), checkin_post(experiment_kept="yes", started_at=earlier))
    assert CheckIn.objects.get(run__runner=runner).experiment_kept is None


def test_an_answer_counts_only_for_a_run_in_a_week_that_asks_the_same(runner_client, runner):
    """Alternating weeks ask opposite things: "yes" to this week's "did you make the change?"
    is not stored for a run logged late in last week, which asked "did you keep to your usual?"."""
    today = timezone.localdate()
    begin(runner, alternating=True, today=today - dt.timedelta(days=8))
    Experiment.objects.update(start_day=today - dt.timedelta(days=8))  # today: week 2, without
    page = main_of(runner_client.get(reverse("checkin_create")))
    asked = page.find("input", name="experiment_day").attrs["value"]
    assert asked == today.isoformat()
    last_week = (timezone.localtime() - dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    post = checkin_post(experiment_kept="yes", started_at=last_week) | {"experiment_day": asked}
    runner_client.post(reverse("checkin_create"), post)
    assert CheckIn.objects.get(run__runner=runner).experiment_kept is None
    yesterday = (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    post = checkin_post(experiment_kept="yes", started_at=yesterday) | {"experiment_day": asked}
    runner_client.post(reverse("checkin_create"), post)
    assert CheckIn.objects.get(run__runner=runner, run__started_at__date__gte=today - dt.timedelta(days=2))
    assert set(CheckIn.objects.values_list("experiment_kept", flat=True)) == {None, True}


def test_a_form_sent_back_keeps_the_answer(runner_client, runner):
    begin(runner)
    response = runner_client.post(
        reverse("checkin_create"), checkin_post(experiment_kept="no", distance="9999")
    )
    assert response.status_code == 200 and not Run.objects.exists()
    no = main_of(response).find("input", name="experiment_kept", value="no")
    assert "checked" in no.attrs


def test_editing_a_run_shows_the_answer_it_stored_and_keeps_it(runner_client, runner):
    begin(runner)
    runner_client.post(reverse("checkin_create"), checkin_post(experiment_kept="yes"))
    run = Run.objects.get(runner=runner)
    page = main_of(runner_client.get(reverse("run_edit", args=[run.pk])))
    assert "checked" in page.find("input", name="experiment_kept", value="yes").attrs
    data = checkin_post(
        experiment_kept="no", started_at=timezone.localtime(run.started_at).strftime("%Y-%m-%dT%H:%M")
    )
    data.pop("finished_at", None)
    runner_client.post(reverse("run_edit", args=[run.pk]), data)
    assert CheckIn.objects.get(run=run).experiment_kept is False


# --- Stopping ------------------------------------------------------------------------------


def test_stopping_is_a_post_and_a_second_tap_changes_nothing(runner_client, runner):
    experiment = begin(runner)
    url = reverse("experiment_stop", args=[experiment.pk])
    assert runner_client.get(url).status_code == 405
    first = runner_client.post(url)
    assert first.status_code == 302
    experiment.refresh_from_db()
    assert experiment.stopped_on == timezone.localdate() and not experiment.active
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        runner_client.post(url)
    experiment.refresh_from_db()
    assert experiment.stopped_on == timezone.localdate()
    page = main_of(runner_client.get(reverse("experiment_detail", args=[experiment.pk])))
    assert page.find(cls="experiment-state").text == "Stopped early"
    assert not page.find_all("form", action=url)


def test_another_runners_experiment_is_not_found_and_not_stopped(client, runner, other_runner):
    experiment = begin(runner)
    client.force_login(other_runner)
    assert client.get(reverse("experiment_detail", args=[experiment.pk])).status_code == 404
    assert client.post(reverse("experiment_stop", args=[experiment.pk])).status_code == 404
    experiment.refresh_from_db()
    assert experiment.active and experiment.stopped_on is None


# --- The result, the history and the report ----------------------------------------------


def log_runs(runner, days_ago_twitching: dict[int, bool], kept=None):
    for days_ago, twitching in days_ago_twitching.items():
        run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago))
        CheckInFactory(run=run, twitching=twitching, intensity=4 if twitching else None, experiment_kept=kept)


def test_an_earlier_experiments_runs_are_never_the_next_ones_without(runner):
    today = timezone.localdate()
    earlier = begin(runner, weeks=4, today=today - dt.timedelta(days=30))  # stopped on day 19
    Experiment.objects.filter(pk=earlier.pk).update(
        start_day=today - dt.timedelta(days=30), stopped_on=today - dt.timedelta(days=12), active=False
    )
    later = begin(runner, change="carbs_before", today=today - dt.timedelta(days=8))
    Experiment.objects.filter(pk=later.pk).update(start_day=today - dt.timedelta(days=8))
    log_runs(runner, dict.fromkeys(range(12, 20), False), kept=True)  # the earlier one's days
    log_runs(runner, dict.fromkeys(range(9, 12), True))  # between the two: without either
    shown = {item.experiment.pk: item for item in shown_experiments(runner, today)}
    without = shown[later.pk].result.without_change
    assert (without.twitching, without.runs) == (3, 3)
    assert "between your previous experiment and this one" in shown[later.pk].result.without_what


def test_the_result_compares_with_the_weeks_before_and_says_so(runner_client, runner):
    today = timezone.localdate()
    experiment = begin(runner, today=today - dt.timedelta(days=8))
    Experiment.objects.filter(pk=experiment.pk).update(start_day=today - dt.timedelta(days=8))
    log_runs(runner, dict.fromkeys(range(9, 15), True))  # before: 6 of 6
    log_runs(runner, dict.fromkeys(range(0, 8), False), kept=True)  # with: 0 of 8, kept
    (shown,) = shown_experiments(runner, today)
    assert (shown.result.with_change.twitching, shown.result.with_change.runs) == (0, 8)
    assert (shown.result.without_change.twitching, shown.result.without_change.runs) == (6, 6)
    assert shown.result.verdict == "less"
    page = main_of(runner_client.get(reverse("experiment_detail", args=[experiment.pk])))
    text = page.find(cls="experiment-result").text
    assert "With the change: twitching after 0 of 8 runs." in text
    assert "Without it: twitching after 6 of 6 runs, 4/10 on average when it twitched." in text
    assert "in the 2 weeks before you started" in text
    assert "You kept to the plan on 8 of 8 runs you answered the question for." in text
    assert "Fisher's exact test" in page.find("section").text


def test_finished_experiments_stay_in_the_history_and_the_report(runner_client, runner):
    today = timezone.localdate()
    begin(runner, change="rest_after_two_hard_days", today=today - dt.timedelta(days=30))
    history = main_of(runner_client.get(reverse("history")))
    row = history.find(cls="history-experiments").find("li", data_change="rest_after_two_hard_days")
    assert "A rest day after two hard days" in row.text and "Finished" in row.text
    assert "Not enough to tell yet" in row.text
    report = main_of(runner_client.get(reverse("report")))
    item = report.find("ul", cls="report-experiments").find("li")
    assert "A rest day after two hard days" in item.text
    assert "the runner's runs" in item.text and "your" not in item.text


def test_a_pattern_of_the_history_offers_its_change(runner_client, runner):
    log_runs(runner, {days: days % 2 == 0 for days in range(1, 12)})
    Run.objects.filter(runner=runner).update(cooldown="none")
    history = main_of(runner_client.get(reverse("history")))
    trigger = history.find("li", data_trigger="no_cooldown")
    link = trigger.find("a", href=f"{reverse('experiment_start')}?change=cooldown_walk")
    assert link.text == "a cool-down walk"


def test_starting_shows_on_the_cached_history_at_once(runner_client, runner):
    assertNotContains(runner_client.get(reverse("history")), "Going on")
    runner_client.post(reverse("experiment_start"), start_form())
    assertContains(runner_client.get(reverse("history")), "Going on")


@pytest.mark.parametrize("count", [1, 4])
def test_the_experiments_page_makes_the_same_queries_whatever_their_number(
    runner_client, runner, django_assert_num_queries, count
):
    today = timezone.localdate()
    for n in range(count):
        begin(runner, today=today - dt.timedelta(days=15 * (count - n)))
    log_runs(runner, {days: days % 3 == 0 for days in range(0, 40)})
    # every request (5), the open flags, the experiments, the runs of their days
    with django_assert_num_queries(8):
        runner_client.get(reverse("experiments"))


# --- Export and load ------------------------------------------------------------------------


def test_the_export_loads_back_with_the_experiments_and_the_answers(runner, other_runner):
    experiment = begin(runner, alternating=True, weeks=4)
    stop_experiment(experiment, timezone.localdate())
    log_runs(runner, {0: True}, kept=True)
    log_runs(runner, {1: False}, kept=None)
    data = json.loads(json.dumps(export_data(runner)))
    assert [e["change"] for e in data["experiments"]] == ["cooldown_walk"]
    assert sorted(str(r["checkin"]["experiment_kept"]) for r in data["runs"]) == ["None", "True"]
    imported, skipped, refusals = import_data(other_runner, data)
    assert (imported, skipped, refusals) == (2, 0, [])
    loaded = Experiment.objects.get(runner=other_runner)
    assert (loaded.change, loaded.weeks, loaded.alternating, loaded.start_day, loaded.stopped_on) == (
        "cooldown_walk",
        4,
        True,
        experiment.start_day,
        timezone.localdate(),
    )
    assert sorted(
        map(str, CheckIn.objects.filter(run__runner=other_runner).values_list("experiment_kept", flat=True))
    ) == [
        "None",
        "True",
    ]
    # Loading it again stores nothing twice.
    assert import_data(other_runner, data)[:2] == (0, 2)
    assert Experiment.objects.filter(runner=other_runner).count() == 1


def test_an_export_from_before_experiments_still_loads(runner, other_runner):
    log_runs(runner, {0: True})
    data = json.loads(json.dumps(export_data(runner)))
    del data["experiments"]
    for item in data["runs"]:
        del item["checkin"]["experiment_kept"]
    assert import_data(other_runner, data)[:2] == (1, 0)
    assert not Experiment.objects.filter(runner=other_runner).exists()


def test_an_experiment_going_on_loads_stopped_beside_one_going_on(runner, other_runner):
    begin(runner)
    begin(other_runner, change="carbs_before", today=timezone.localdate() - dt.timedelta(days=40))
    mine = begin(other_runner, change="carbs_before")
    data = json.loads(json.dumps(export_data(runner)))
    data["experiments"][0]["start_day"] = (timezone.localdate() - dt.timedelta(days=20)).isoformat()
    import_data(other_runner, data)
    assert list(Experiment.objects.filter(runner=other_runner, active=True)) == [mine]


@pytest.mark.parametrize(
    "bad",
    [
        {"change": "stop_statins"},
        {"weeks": 9},
        {"start_day": "soon"},
        {"active": "yes"},
        {"idempotency_key": 3},
    ],
)
def test_a_changed_experiment_refuses_the_file_with_one_sentence(runner, other_runner, bad):
    begin(runner)
    data = json.loads(json.dumps(export_data(runner)))
    data["experiments"][0].update(bad)
    from checkins.transfer.export import ExportRefused

    with pytest.raises(ExportRefused, match="Experiment 1 of the file"):
        import_data(other_runner, data)
    assert not Experiment.objects.filter(runner=other_runner).exists()


# --- The reminders' hook ------------------------------------------------------------------------


def test_due_nudges_names_runners_with_an_experiment_and_no_answer_today(runner, other_runner):
    from checkins.experiments.nudges import due_nudges

    today = timezone.localdate()
    mine = begin(runner)
    begin(other_runner, change="carbs_before")
    assert {(n.runner_id, n.experiment_id) for n in due_nudges(today)} == {
        (runner.pk, mine.pk),
        (other_runner.pk, Experiment.objects.get(runner=other_runner).pk),
    }
    log_runs(other_runner, {0: False}, kept=True)  # answered today: no nudge
    open_red_flag(runner)  # a red flag open: no nudge, a doctor first
    assert due_nudges(today) == []
    nudge_day = today + dt.timedelta(days=30)  # after the end: none
    assert due_nudges(nudge_day) == []


def test_an_off_week_nudge_asks_for_the_usual(runner):
    from checkins.experiments.nudges import due_nudges

    today = timezone.localdate()
    begin(runner, alternating=True)
    (nudge,) = due_nudges(today + dt.timedelta(days=8))
    assert nudge.text.startswith("A week without the change") and nudge.url == reverse("checkin_create")


def test_an_urgent_flag_leads_with_its_care_and_nothing_milder(runner_client, runner):
    run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(hours=3))
    CheckInFactory(run=run, twitching=True, muscles=["calves"], weakness=True, symptoms=["collapse"])
    page = main_of(runner_client.get(reverse("experiments")))
    block = page.find("section", cls="red-flags")
    assert block.find("h2").text == "Get care first"
    flags = [el.attrs["data-flag"] for el in block.find_all(cls="flag")]
    assert flags and all(el.has_ancestor("flag-group") for el in block.find_all(cls="flag"))
    assert "collapse" in flags and "weakness" not in flags  # the milder flag of the same run waits
    assert not page.find_all("a", href=f"{reverse('experiment_start')}?change=cooldown_walk")


def test_one_stopped_before_its_first_day_is_called_off_and_left_out_of_the_lists(runner_client, runner):
    first = begin(runner)
    stop_experiment(first, timezone.localdate())
    waiting = begin(runner, change="carbs_before")  # starts tomorrow
    assert current_experiment(runner, timezone.localdate()) == waiting
    runner_client.post(reverse("experiment_stop", args=[waiting.pk]))
    assert [item.experiment for item in shown_experiments(runner, timezone.localdate())] == [first]
    page = main_of(runner_client.get(reverse("experiment_detail", args=[waiting.pk])))
    assert page.find(cls="experiment-state").text == "Called off before it began"
