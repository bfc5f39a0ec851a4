"""The honest patterns on the history page and in the doctor's report: the two rates in
words, how sure the app is, "too few runs to tell" once, the method in small print."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn

from .factories import RunFactory
from .helpers import parse


def add_run(runner, days_ago, *, temperature_c, twitching, **run):
    started = timezone.now() - dt.timedelta(days=days_ago)
    made = RunFactory(runner=runner, started_at=started, temperature_c=temperature_c, humidity_pct=60, **run)
    CheckIn.objects.create(run=made, twitching=twitching, muscles=["calves"] if twitching else [])
    return made


def hot_pattern(runner):
    """Ten hot runs, nine followed by twitching; ten cool ones, two; cool-downs on three;
    spicy food before ten runs, with no pattern."""
    for n in range(20):
        hot = n % 2 == 0
        twitching = n // 2 < 9 if hot else n // 2 < 2
        add_run(
            runner,
            60 - 3 * n,
            temperature_c=32 if hot else 10,
            twitching=twitching,
            cooldown="none" if n < 17 else "walk",
            spicy_meal=n % 4 < 2,
        )


def test_the_history_names_a_clear_pattern_and_how_sure_it_is(runner_client, runner):
    hot_pattern(runner)
    response = runner_client.get(reverse("history"))
    patterns = response.context["patterns"]
    assert [p.code for p in patterns.standing_out] == ["hot_humid"]
    section = parse(response).find("section", cls="patterns")
    item = section.find("li", cls="stands-out")
    assert item.attrs["data-trigger"] == "hot_humid"
    text = " ".join(item.text.split())
    assert "Twitching came more often after warm or humid weather" in text
    assert (
        "Twitching after 9 of 10 runs in warm or humid weather, and after 2 of 10 in cooler or drier weather."
        in text
    )
    assert "More than chance, it seems" in text
    assert "may explain it as well" in text
    folded = section.find("details", cls="could-be-chance")
    assert "open" not in folded.attrs and folded.find("summary").text == "1 more that could be chance"
    words = " ".join(section.text.split())
    # the cool-down: 17 runs without, 3 with: too few, said once for all such triggers
    assert words.lower().count("too few runs to tell") == 1
    assert "other explanations: hotter months, longer runs" in words
    small_print = section.find("p", cls="method").text
    assert "Fisher's exact test" in small_print and "Holm's correction" in small_print and "5%" in small_print


def test_the_history_says_when_a_difference_could_be_chance(runner_client, runner):
    for n in range(12):  # 3 of 6 hot runs twitched, 2 of 6 cool ones
        hot = n % 2 == 0
        add_run(runner, 40 - 3 * n, temperature_c=32 if hot else 10, twitching=(n // 2 < (3 if hot else 2)))
    response = runner_client.get(reverse("history"))
    assert not response.context["patterns"].standing_out
    item = parse(response).find("li", cls="trigger")
    assert "Could be chance" in item.text or "Could well be chance" in item.text
    assert not parse(response).find_all("li", cls="stands-out")
    assert (
        "None of the one trigger compared went with twitching"
        in parse(response).find("p", cls="none-stands-out").text
    )
    assert "open" in parse(response).find("details", cls="could-be-chance").attrs


def test_the_doctors_report_shows_the_same_patterns(runner_client, runner):
    hot_pattern(runner)
    response = runner_client.get(reverse("report"))
    table = parse(response).find("table", cls="report-patterns")
    rows = {
        tr.attrs["data-trigger"]: [td.text for td in tr.find_all("td")]
        for tr in table.find_all("tr")
        if "data-trigger" in tr.attrs
    }
    assert rows["hot_humid"][:3] == [
        "Warm or humid weather (feels like 27 °C / 80 °F or more)",
        "9 of 10",
        "2 of 10",
    ]
    assert rows["hot_humid"][3].replace("\xa0", " ") == "Yes, morep = 0.005"  # a line break between
    assert rows["spicy_meal"][3].replace("\xa0", " ") == "Nop = 1.000"
    assert rows["no_cooldown"][3] == "–"
    page = " ".join(parse(response).find("article").text.split())
    assert "too few runs to tell" in page
    assert "Fisher's exact test" in page and "Holm's correction" in page
    assert "where the runner answered" in page  # worded about the runner, for a clinician
