"""The history page: filters, load more, banners, trigger counts, charts, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from advice import Units
from checkins.charts import intensity_chart, muscle_heat, twitch_calendar
from checkins.history import history_entries
from checkins.models import CheckIn
from tests.factories import RunFactory
from tests.helpers import Tree

pytestmark = pytest.mark.django_db


def flags_of(response) -> list[str]:
    """The codes of the banners a history page shows."""
    banners = Tree(response.content.decode()).root.find_all("section", cls="flag")
    return [banner.attrs["data-flag"] for banner in banners]


def day(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def add_run(runner, days_ago: int, **checkin):
    run_fields = {
        k: checkin.pop(k) for k in list(checkin) if k in {"cooldown", "temperature_c", "distance_km"}
    }
    run = RunFactory(runner=runner, started_at=day(days_ago), **run_fields)
    if checkin:
        CheckIn.objects.create(run=run, **checkin)
    return run


def test_runs_newest_first_with_their_summary(runner_client, runner):
    add_run(runner, 3, twitching=True, intensity=4, muscles=["calves"])
    add_run(runner, 1, twitching=False)
    response = runner_client.get(reverse("history"))
    rows = response.context["rows"]
    assert [row["run"].date for row in rows] == sorted((row["run"].date for row in rows), reverse=True)
    assert "twitching 4/10: calves" in response.content.decode()


def test_filters_live_in_the_query_string(runner_client, runner):
    add_run(runner, 20, twitching=True, muscles=["calves"])
    add_run(runner, 10, twitching=True, muscles=["arms"])
    add_run(runner, 5, twitching=False)
    url = reverse("history")
    assert len(runner_client.get(url).context["rows"]) == 3
    assert len(runner_client.get(url + "?twitching=on").context["rows"]) == 2
    rows = runner_client.get(url + "?muscle=arms").context["rows"]
    assert [row["run"].checkin.muscles for row in rows] == [["arms"]]
    since = (timezone.localdate() - dt.timedelta(days=12)).isoformat()
    response = runner_client.get(url + f"?twitching=on&start={since}")
    assert len(response.context["rows"]) == 1
    assert response.context["query"] == f"twitching=on&start={since}"


def test_an_end_before_the_start_is_named_at_its_field(runner_client, runner):
    add_run(runner, 1, twitching=False)
    add_run(runner, 2, twitching=True, muscles=["calves"])
    response = runner_client.get(reverse("history") + "?twitching=on&start=2026-05-01&end=2026-04-01")
    assert response.status_code == 200
    page = response.content.decode()
    filters = response.context["filters"]
    assert "“To” is before “From”" in filters.errors["end"][0]
    assert filters.period == (None, None)  # neither date is used
    # The message sits at "To", both fields point at it, and the fold-out is open.
    main = Tree(page).root.find("main")
    assert main.find(cls="field-error", id="err-end").text == filters.errors["end"][0]
    start, end = main.find("input", name="start"), main.find("input", name="end")
    assert start.attrs["aria-describedby"] == end.attrs["aria-describedby"] == "err-end"
    assert start.attrs["aria-invalid"] == end.attrs["aria-invalid"] == "true"
    assert "open" in main.find("details", cls="filters").attrs
    assert "not used until they are fixed" in main.text
    # The rest of the filter still applies, and "Older runs" links keep only what was applied.
    assert [row["run"].checkin.twitching for row in response.context["rows"]] == [True]
    assert response.context["query"] == "twitching=on"
    # A sound period shows no warning.
    fine = Tree(runner_client.get(reverse("history") + "?start=2026-04-01&end=2026-05-01").content.decode())
    assert "not used until they are fixed" not in fine.root.text
    assert not fine.root.find_all(aria_invalid="true")


def test_the_reports_period_names_a_reversed_range_at_its_field(runner_client, runner):
    add_run(runner, 3, twitching=True, muscles=["calves"])
    response = runner_client.get(reverse("report") + "?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 200
    message = response.context["form"].errors["end"][0]
    assert "“To” is before “From”" in message
    main = Tree(response.content.decode()).root.find("main")
    assert main.find(id="err-end").text == message
    dates = main.find_all("input", type="date")
    assert [field.attrs["aria-describedby"] for field in dates] == ["err-end", "err-end"]
    # The report falls back to its default period rather than a reversed one.
    report = response.context["report"]
    assert report["start"] <= report["end"] == timezone.localdate()


def test_pages_and_htmx_load_more(runner_client, runner):
    for days_ago in range(45):
        add_run(runner, days_ago, twitching=False)
    first = runner_client.get(reverse("history"))
    assert len(first.context["rows"]) == 20
    older = Tree(first.content.decode()).root.find("li", cls="load-more").find("a")
    assert older.attrs["hx-trigger"] == "revealed, click" and older.attrs["href"] == "?page=2"
    more = runner_client.get(reverse("history") + "?page=2", headers={"HX-Request": "true"})
    rows = Tree(more.content.decode()).root
    assert not rows.find_all("html") and len(rows.find_all("li", cls="run-row")) == 20
    assert rows.find("li", cls="load-more").find("a").attrs["href"] == "?page=3"
    last = runner_client.get(reverse("history") + "?page=3", headers={"HX-Request": "true"})
    last = Tree(last.content.decode())
    assert len(last.root.find_all("li", cls="run-row")) == 5
    assert not last.root.find_all(cls="load-more")


def test_persistent_banner_appears_with_the_runs_behind_it_and_goes_away(runner_client, runner):
    runs = [add_run(runner, d, twitching=True, muscles=["calves"], intensity=3) for d in (20, 12, 5, 1)]
    page = Tree(runner_client.get(reverse("history")).content.decode()).root
    banner = page.find("section", data_flag="persistent")
    links = {a.attrs["href"] for a in banner.find_all("a")}
    assert links == {reverse("run_detail", args=[run.pk]) for run in runs}
    for checkin in CheckIn.objects.filter(run__runner=runner):
        checkin.twitching = False
        checkin.save()  # the app writes through save(): the log's version moves on
    assert not flags_of(runner_client.get(reverse("history")))


def test_the_medical_notice_shows_once_per_screen(runner_client, runner):
    from advice.vocabulary import DISCLAIMER

    add_run(runner, 3, twitching=False)
    assert runner_client.get(reverse("history")).content.decode().count(DISCLAIMER) == 1  # at the foot
    for days_ago in (20, 12, 5, 1):
        add_run(runner, days_ago, twitching=True, muscles=["calves", "arms"], sleep_disrupted=True)
    response = runner_client.get(reverse("history"))
    assert len(flags_of(response)) >= 2
    # Beside the banners, not in each one and not again at the foot.
    assert response.content.decode().count(DISCLAIMER) == 1
    order = list(Tree(response.content.decode()).root.walk())
    notice = next(i for i, el in enumerate(order) if el.text == DISCLAIMER)
    assert notice < order.index(next(el for el in order if el.attrs.get("id") == "runs-title"))


def test_sleep_and_widespread_banners(runner_client, runner):
    add_run(runner, 6, twitching=True, muscles=["calves", "arms"], sleep_disrupted=True)
    assert not flags_of(runner_client.get(reverse("history")))  # once is not yet a pattern
    add_run(runner, 2, twitching=True, muscles=["calves", "arms", "face"], sleep_disrupted=True)
    assert {"sleep", "widespread"} <= set(flags_of(runner_client.get(reverse("history"))))


def test_trigger_counts_are_exact_on_a_hand_built_history(runner_client, runner):
    # No cooldown: 3 runs, 2 twitched. Walked: 6 runs, 1 twitched.
    for days_ago, twitching in [(30, True), (28, True), (26, False)]:
        add_run(runner, days_ago, cooldown="none", twitching=twitching)
    for days_ago, twitching in [(24, True), (22, False), (20, False), (18, False), (16, False), (14, False)]:
        add_run(runner, days_ago, cooldown="walk", twitching=twitching)
    response = runner_client.get(reverse("history"))
    counts = {c.code: c for c in response.context["counts"]}
    cooldown = counts["no_cooldown"]
    assert (cooldown.with_runs, cooldown.with_twitch, cooldown.without_runs, cooldown.without_twitch) == (
        3,
        2,
        6,
        1,
    )
    assert cooldown.too_few is True
    page = response.content.decode()
    assert "Twitching after 2 of 3 runs without a cool-down, and after 1 of 6 with one." in page
    assert page.count("too few runs to tell yet") + page.count("Too few runs to tell yet") == 1


def test_a_two_run_account_is_told_once_that_there_are_too_few_runs(runner_client, runner):
    add_run(runner, 3, cooldown="none", twitching=True, muscles=["calves"], intensity=4)
    add_run(runner, 1, cooldown="none", twitching=False)
    response = runner_client.get(reverse("history"))
    page = response.content.decode()
    patterns = response.context["patterns"]
    assert patterns.too_few and not patterns.compared
    assert page.count("Too few runs to tell yet") == 1
    assert "too few" not in page.lower().replace("too few runs to tell yet", "")  # no line per trigger
    assert "0 of 0" not in page
    # A trigger both runs had: what there is to say, without an empty side.
    assert "Twitching after 1 of 2 runs without a cool-down; every run so far was like that." in page
    # The counts are kept, folded away.
    folded = Tree(page).root.find("details", cls="too-few-counts")
    assert "open" not in folded.attrs and folded.find("summary").text.startswith("The counts so far")


def test_counts_that_can_be_compared_come_first_and_the_rest_are_summed_up_once(runner_client, runner):
    for days_ago in range(40, 10, -3):  # 10 runs: 5 without a cool-down, 5 with a walk
        add_run(runner, days_ago, cooldown="none" if days_ago % 2 else "walk", twitching=days_ago % 2 == 1)
    response = runner_client.get(reverse("history"))
    page = response.content.decode()
    compared = [c.code for c in response.context["patterns"].compared]
    assert "no_cooldown" in compared
    if response.context["patterns"].too_few:
        assert page.count("For the rest, too few runs to tell yet") == 1
    assert page.index('data-trigger="no_cooldown"') < page.index("The counts so far")
    assert "0 of 0" not in page


def test_chart_tables_match_their_data(runner, settings):
    add_run(runner, 3, twitching=True, intensity=7, muscles=["calves", "quads"], temperature_c=30.0)
    add_run(runner, 2, twitching=False, temperature_c=12.0)
    add_run(runner, 1, twitching=True, intensity=2, muscles=["calves"])
    entries = history_entries(runner)
    today = timezone.localdate()
    chart = intensity_chart(entries, start=today - dt.timedelta(days=10), end=today, units=Units())
    assert [(p.intensity, p.temperature_c) for p in chart.points] == [(7, 30.0), (0, 12.0), (2, None)]
    tallest = max(chart.points, key=lambda p: p.bar_h)
    assert tallest.intensity == 7 and tallest.bar_h == pytest.approx(124 * 0.7, abs=0.1)
    counts, shades, twitching_runs = muscle_heat(entries)
    assert (counts["calves"], counts["quads"], counts["arms"], twitching_runs) == (2, 1, 0, 2)
    assert shades["calves"] == 4 and shades["arms"] == 0 and 0 < shades["quads"] < 4
    cells = {c.day: c for c in twitch_calendar(entries, end=today).cells}
    assert cells[today - dt.timedelta(days=3)].state == "twitch-3"
    assert cells[today - dt.timedelta(days=2)].state == "run"
    assert cells[today - dt.timedelta(days=1)].state == "twitch-1"
    assert len(cells) % 7 == today.weekday() + 1


def test_chart_markup_has_titles_descriptions_and_tables(runner_client, runner):
    add_run(runner, 2, twitching=True, intensity=5, muscles=["calves"], temperature_c=24.0)
    RunFactory(runner=runner, started_at=day(1), temperature_c=None)  # no check-in, no weather
    response = runner_client.get(reverse("history"))
    assertContains(response, "<td>not answered</td><td>–</td>", html=True)
    charts = Tree(response.content.decode()).root.find_all("svg", role="img")
    assert [chart.attrs["aria-labelledby"] for chart in charts] == ["ci-title ci-desc", "cc-title cc-desc"]
    assert charts[0].find("title", id="ci-title") and charts[0].find("desc", id="ci-desc")
    assertContains(response, "<td>5</td><td>24 °C</td>", html=True)
    assertContains(response, "<td>Calves</td><td>1</td>", html=True)


def test_chart_figures_are_plain_numbers_whatever_the_locale(runner):
    """SVG reads 12.5, never a locale's 12,5: the overview's figures are not localized."""
    from django.template.loader import render_to_string
    from django.utils import translation

    add_run(runner, 3, twitching=True, intensity=7, muscles=["calves"], temperature_c=30.5)
    add_run(runner, 1, twitching=True, intensity=3, muscles=["calves"], temperature_c=12.5)
    with translation.override("de"):  # a decimal comma
        html = render_to_string("checkins/history.html#overview", overview(runner))
    figures = [
        el.attrs[name]
        for el in Tree(html).root.find_all()
        if el.tag in {"rect", "text", "line"}
        for name in ("x", "y", "height", "x1", "y1")
        if name in el.attrs
    ]
    assert any("." in figure for figure in figures)
    assert [float(figure) for figure in figures]  # each one a number SVG reads


def test_the_cached_history_follows_every_change(runner_client, runner):
    run = add_run(runner, 2, twitching=True, muscles=["calves"], intensity=5)
    assertContains(runner_client.get(reverse("history")), "<td>Calves</td><td>1</td>", html=True)
    run.checkin.muscles = ["quads"]
    run.checkin.save()
    response = runner_client.get(reverse("history"))
    assertContains(response, "<td>Quads</td><td>1</td>", html=True)
    assertNotContains(response, "<td>Calves</td>", html=True)
    run.delete()
    assertNotContains(runner_client.get(reverse("history")), "<td>Quads</td>", html=True)


def test_history_shows_only_this_runners_runs(runner_client, runner, other_runner):
    add_run(other_runner, 1, twitching=True, muscles=["face"], intensity=9)
    response = runner_client.get(reverse("history"))
    assert response.context["rows"] == []
    assert "Face" not in response.content.decode().split("Where it twitched")[1]


@pytest.mark.parametrize("query", [{}, {"start": "2026-06-01"}, {"end": "2026-09-30"}])
def test_the_overview_reads_every_answer_its_counts_and_charts_use(runner, query):
    """The overview fetches a few answers of each run of a long log (checkins.history.
    COUNTED_NAMES) and every answer of the last four weeks: it comes out as from every answer."""
    import random

    from advice import scan_history, trigger_counts
    from checkins.charts import default_chart_start
    from checkins.demo import bulk_log
    from checkins.forms import HistoryFilter
    from checkins.history import FLAG_WINDOW_DAYS, in_period

    bulk_log(runner, 400, rng=random.Random(7))
    add_run(runner, 2, twitching=True, intensity=6, muscles=["calves", "face"], sleep_disrupted=True)
    add_run(runner, 1, twitching=True, intensity=8, muscles=["arms", "face"], sleep_disrupted=True)
    today = timezone.localdate()
    start, end = HistoryFilter(query).period
    found = overview(runner, today=today, query=query)
    every = history_entries(runner)
    entries = in_period(every, start, end)
    assert found["counts"] == trigger_counts(entries)
    assert any(count.with_runs and count.without_runs for count in found["counts"])
    chart_end = end or today
    chart_start = start or default_chart_start(entries, chart_end)
    assert found["chart"] == intensity_chart(
        entries, start=chart_start, end=chart_end, units=Units(), today=today
    )
    assert found["calendar"] == twitch_calendar(entries, end=chart_end, today=today)
    assert found["shades"] == muscle_heat(entries)[1]
    recent = in_period(every, today - dt.timedelta(days=FLAG_WINDOW_DAYS), None)
    flags = scan_history(recent, today=today, units=Units())
    assert [flag["code"] for flag in found["flags"]] == [flag.code for flag in flags] != []


def test_running_streaks_match_the_day_by_day_count():
    from checkins.assessing import consecutive_running_days
    from checkins.history import running_streaks

    start = dt.date(2026, 1, 1)
    dates = {start + dt.timedelta(days=d) for d in (0, 1, 2, 4, 5, 9, 10, 11, 12, 13, 30)}
    streaks = running_streaks(dates)
    assert streaks[start + dt.timedelta(days=13)] == 5
    assert streaks[start + dt.timedelta(days=4)] == 1
    for day in dates:
        assert streaks[day] == consecutive_running_days(day, dates - {day})


def overview(runner, today=None, query=None):
    from checkins.forms import HistoryFilter
    from checkins.history import history_overview

    start, end = HistoryFilter(query or {}).period
    return history_overview(runner, start=start, end=end, units=Units(), today=today or timezone.localdate())


@pytest.mark.parametrize(
    ("first_run_days_ago", "span_days"),
    [(2, 14), (13, 14), (40, 40), (89, 89), (200, 90)],
)
def test_the_intensity_chart_spans_from_the_first_run_within_14_to_90_days(
    runner, first_run_days_ago, span_days
):
    add_run(runner, first_run_days_ago, twitching=True, intensity=5, muscles=["calves"])
    add_run(runner, 0, twitching=False)
    chart = overview(runner)["chart"]
    today = timezone.localdate()
    assert chart.end == today
    assert (chart.end - chart.start).days == span_days
    # The first run of a new runner sits well inside the chart, not squeezed to its left edge.
    xs = [p.x for p in chart.points]
    assert min(xs) >= 24 and max(xs) <= 306
    if first_run_days_ago <= 90:
        assert len(chart.points) == 2


def test_a_chosen_period_sets_the_chart_span(runner):
    add_run(runner, 5, twitching=True, intensity=5, muscles=["calves"])
    today = timezone.localdate()
    start = (today - dt.timedelta(days=30)).isoformat()
    chart = overview(runner, query={"start": start})["chart"]
    assert (chart.start, chart.end) == (today - dt.timedelta(days=30), today)


def test_the_calendar_names_its_months_mondays_and_every_colour():
    from checkins.charts import CALENDAR_KEY

    today = dt.date(2026, 3, 15)  # a Sunday: 12 weeks from Monday 22 Dec 2025
    entries = [
        {"date": dt.date(2026, 3, 2), "twitching": False},
        {"date": dt.date(2026, 3, 3), "twitching": True, "intensity": 2},
        {"date": dt.date(2026, 3, 4), "twitching": True, "intensity": 5},
        {"date": dt.date(2026, 3, 5), "twitching": True, "intensity": 9},
        {"date": dt.date(2025, 12, 23), "twitching": False},
    ]
    calendar = twitch_calendar(entries, end=today, today=today)
    assert calendar.start == dt.date(2025, 12, 22) and calendar.end == today
    # A month above the column where it begins (Jan 1 falls in the second column).
    assert [(t.x, t.text) for t in calendar.months] == [(14, "Jan"), (70, "Feb"), (126, "Mar")]
    assert [t.text for t in calendar.mondays] == [
        "22",
        "29",
        "5",
        "12",
        "19",
        "26",
        "2",
        "9",
        "16",
        "23",
        "2",
        "9",
    ]
    states = {cell.state for cell in calendar.cells}
    assert states == {key for key, _ in CALENDAR_KEY}  # all five colours are used here, and named
    by_day = {cell.day: cell for cell in calendar.cells}
    assert by_day[dt.date(2026, 3, 5)].label == "Thu 5 Mar: twitching, strongest 9/10"
    assert by_day[dt.date(2025, 12, 23)].label == "Tue 23 Dec 2025: ran, no twitching"  # last year: with it
    # A calendar of last year's weeks says which year its first month was in.
    old = twitch_calendar([], end=dt.date(2025, 11, 30), today=today)
    assert old.months[0].text.endswith("2025")


def test_the_calendar_markup_has_dates_a_full_key_and_a_table(runner_client, runner):
    add_run(runner, 2, twitching=True, intensity=8, muscles=["calves"])
    add_run(runner, 1, twitching=False)
    page = Tree(runner_client.get(reverse("history")).content.decode()).root
    figure = next(f for f in page.find_all("figure") if f.find_all("svg", cls="calendar"))
    assert len(figure.find_all("text", cls="tick-month")) >= 3  # 12 weeks hold at least three months
    assert len(figure.find_all("text", text_anchor="middle")) == 12  # the date of each column's Monday
    key = [(li.find("span").classes, li.text) for li in figure.find("ul", cls="chart-key").find_all("li")]
    assert key == [
        ({"key", "cal-none"}, "No run"),
        ({"key", "cal-run"}, "Run, no twitching"),
        ({"key", "cal-twitch-1"}, "Twitching 0–3"),
        ({"key", "cal-twitch-2"}, "Twitching 4–6"),
        ({"key", "cal-twitch-3"}, "Twitching 7–10"),
    ]
    assert figure.find("summary").text == "The days as a table"
    rows = [[td.text for td in tr.find_all("td")] for tr in figure.find("tbody").find_all("tr")]
    assert [strongest for _, strongest in rows] == ["8", "none"]
    assert figure.find("h3").text.startswith("Twitch days,")  # a visible heading with its dates


def test_old_runs_show_their_year_and_this_years_do_not(runner_client, runner):
    add_run(runner, 0, twitching=False)
    old = add_run(runner, 400, twitching=False)
    rows = Tree(runner_client.get(reverse("history")).content.decode()).root.find_all("li", cls="run-row")
    days = [row.find("span", cls="fw-semibold").text for row in rows]
    today = timezone.localdate()
    old_day = timezone.localtime(old.started_at).date()
    this_year = f"{today:%a} {today.day} {today:%b}"
    assert days == [this_year, f"{old_day:%a} {old_day.day} {old_day:%b} {old_day.year}"]
