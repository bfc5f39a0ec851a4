"""The pages that show a run's advice: urgent flags first with nothing reassuring beside
them, the notice once per screen, red flags kept on home until read, a useful page for a
run without a cause or without a check-in, and headings in order."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from advice import DISCLAIMER, TIPS, assess
from checkins.assessing import GENERAL_TIP_CODES
from checkins.flags import FLAGS_OPEN_DAYS
from checkins.models import CheckIn, Profile, Run
from tests.factories import RunFactory
from tests.helpers import Element, assert_headings_in_order, checkin_post, headings, main_of, parse

pytestmark = pytest.mark.django_db

# After a 70-minute run with no temperature: collapse, cola-brown urine and confusion
# (urgent), with twitching in the legs and an arm, weakness and cramps (milder flags and
# causes that must not show beside the urgent ones).
URGENT_RUN = {"distance_km": 12.0, "duration_min": 70.0, "effort": 9, "cooldown": "none", "fluid_ml": 0}
URGENT_CHECKIN = {
    "twitching": True,
    "muscles": ["calves", "arms"],
    "intensity": 6,
    "weakness": True,
    "cramps": True,
    "symptoms": ["collapse", "cola_urine", "confusion", "thirst"],
}
# Twitching with weakness: a flag to show a doctor, not urgent.
MILD_CHECKIN = {"twitching": True, "muscles": ["calves"], "intensity": 5, "weakness": True}
REASSURING = ("nothing to explain", "keep your routine")


def shown_flags(root: Element) -> list[str]:
    return [el.attrs["data-flag"] for el in root.find_all() if "data-flag" in el.attrs]


def assert_nothing_beside_the_urgent(root: Element, urgent_codes: set[str]) -> None:
    text = root.text.lower()
    for words in REASSURING:
        assert words not in text
    assert set(shown_flags(root)) == urgent_codes
    assert not [el for el in root.find_all() if "data-cause" in el.attrs or "data-tip" in el.attrs]
    assert not root.find_all(cls="plan")


def notices(response) -> int:
    return parse(response).text.count(DISCLAIMER)


def urgent_codes() -> set[str]:
    codes = {flag.code for flag in assess({**URGENT_RUN, **URGENT_CHECKIN}).urgent_flags}
    assert codes, "the urgent case raises no urgent flag"
    return codes


@pytest.fixture
def days_ago():
    def started(days: float) -> dt.datetime:
        return timezone.now() - dt.timedelta(days=days)

    return started


# --- urgent first, nothing reassuring ---------------------------------------------------


def test_the_urgent_case_has_milder_flags_and_causes_to_hide():
    assessment = assess({**URGENT_RUN, **URGENT_CHECKIN})
    assert {"collapse", "muscle_breakdown"} <= urgent_codes()
    assert any(not flag.urgent for flag in assessment.red_flags)
    assert assessment.causes


def test_guidance_page_leads_with_the_urgent_care_and_nothing_else(runner_client, runner, make_run):
    run = make_run(runner, URGENT_CHECKIN, **URGENT_RUN)
    response = runner_client.get(reverse("run_detail", args=[run.pk]))
    main = main_of(response)
    first = main.children[0]
    assert "urgent-flags" in first.find("section").classes or "urgent-flags" in first.classes
    urgent = main.find("section", cls="urgent-flags")
    assert headings(main)[0] == (1, "Get help now")
    care = [el.text for el in urgent.find_all("p", cls="flag-care")]
    assert care == [flag.care for flag in assess({**URGENT_RUN, **URGENT_CHECKIN}).urgent_flags]
    assert "rest of the advice for this run waits until you have been checked" in urgent.text
    assert_nothing_beside_the_urgent(main, urgent_codes())
    # The notice once on the screen, beside the flags, not in each box nor in the footer.
    assert notices(response) == 1
    assert DISCLAIMER in urgent.text
    assert all(DISCLAIMER not in box.text for box in urgent.find_all(cls="flag"))
    assert_headings_in_order(main)


def test_home_leads_with_the_latest_runs_urgent_care(runner_client, runner, make_run, days_ago):
    make_run(runner, {"twitching": False}, started_at=days_ago(2))
    run = make_run(runner, URGENT_CHECKIN, **URGENT_RUN)
    response = runner_client.get(reverse("home"))
    main = main_of(response)
    assert "urgent-flags" in main.children[0].classes
    assert headings(main)[0] == (1, "Get help now")
    urgent = main.children[0]
    assert urgent.find("a").attrs["href"] == reverse("run_detail", args=[run.pk])
    assert_nothing_beside_the_urgent(main, urgent_codes())
    assert notices(response) == 1
    assert_headings_in_order(main)


def test_once_read_home_lets_the_urgent_box_go_and_still_offers_no_advice_beside_it(
    runner_client, runner, make_run
):
    run = make_run(runner, URGENT_CHECKIN, **URGENT_RUN)
    runner_client.post(reverse("flags_seen", args=[run.pk]))
    response = runner_client.get(reverse("home"))
    main = main_of(response)
    assert not main.find_all(cls="urgent-flags")
    assert headings(main)[0][0] == 1 and "Your last run" in headings(main)[0][1]
    assert not shown_flags(main)
    assert not [el for el in main.find_all() if "data-cause" in el.attrs or "data-tip" in el.attrs]
    assert main.find("a", href=reverse("run_detail", args=[run.pk])).text
    assert notices(response) == 1
    # The run's own page still leads with the urgent care.
    detail = main_of(runner_client.get(reverse("run_detail", args=[run.pk])))
    assert headings(detail)[0] == (1, "Get help now")


def test_home_leads_with_an_earlier_runs_urgent_care_over_a_calm_latest_run(
    runner_client, runner, make_run, days_ago
):
    urgent_run = make_run(runner, URGENT_CHECKIN, **URGENT_RUN, started_at=days_ago(3))
    make_run(runner, {"twitching": False}, started_at=days_ago(0.1))
    response = runner_client.get(reverse("home"))
    main = main_of(response)
    assert "urgent-flags" in main.children[0].classes
    assert main.children[0].find("a").attrs["href"] == reverse("run_detail", args=[urgent_run.pk])
    assert_nothing_beside_the_urgent(main, urgent_codes())
    assert notices(response) == 1


def test_live_preview_shows_only_the_urgent_care(runner_client):
    body = checkin_post(temperature="", cramps="yes", symptoms=["collapse", "cola_urine", "confusion"])
    body.update(muscles=["calves", "arms"], weakness="yes", duration_min="70")
    response = runner_client.post(reverse("checkin_preview"), body, headers={"HX-Request": "true"})
    root = parse(response)
    section = root.find("section", cls="urgent-flags")
    assert section.find("h3").text == "Get help now"
    assert {"collapse", "muscle_breakdown"} <= set(shown_flags(root))
    assert_nothing_beside_the_urgent(root, set(shown_flags(section)))
    assert all("flag-urgent" in box.classes for box in root.find_all(cls="flag"))
    assert root.text.count(DISCLAIMER) == 1


def test_without_an_urgent_flag_the_advice_is_all_there(runner_client, runner, make_run):
    run = make_run(runner, MILD_CHECKIN, temperature_c=31, humidity_pct=60, duration_min=85, fluid_ml=0)
    response = runner_client.get(reverse("run_detail", args=[run.pk]))
    main = main_of(response)
    assert shown_flags(main) == ["weakness"]
    assert main.find_all(cls="cause") and main.find_all(cls="tip")
    flags = main.find("section", cls="red-flags")
    # The notice once, at the top of the flags, not inside the box; not again in the footer.
    assert flags.find("p", cls="disclaimer").text == DISCLAIMER
    assert notices(response) == 1
    assert DISCLAIMER not in flags.find(cls="flag").text
    assert_headings_in_order(main)


def test_a_page_without_flags_keeps_the_notice_in_the_footer(runner_client, runner, make_run):
    run = make_run(runner, {"twitching": False})
    response = runner_client.get(reverse("run_detail", args=[run.pk]))
    assert notices(response) == 1
    assert DISCLAIMER in parse(response).find("footer").text
    assert "nothing to explain" in main_of(response).text


def test_first_use_notice_still_says_it(client, db):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    page = parse(client.get(reverse("welcome")))
    assert "not a medical device" in page.text.lower() or "no medical device" in page.text.lower()


# --- red flags stay on home until read ------------------------------------------------------


def test_home_keeps_an_unread_flag_after_later_runs_until_it_is_read(
    runner_client, runner, make_run, days_ago
):
    flagged = make_run(runner, MILD_CHECKIN, started_at=days_ago(3))
    make_run(runner, {"twitching": False}, started_at=days_ago(1))
    home = main_of(runner_client.get(reverse("home")))
    earlier = home.find("section", cls="earlier-flags")
    assert shown_flags(earlier) == ["weakness"]
    assert earlier.find("a").attrs["href"] == reverse("run_detail", args=[flagged.pk])
    assert_headings_in_order(home)
    # The calm latest run says so, without "keep your routine" under a warning still open.
    assert "No twitching after this run." in home.text
    assert not any(words in home.text.lower() for words in REASSURING)

    # A later run without a flag: still there (the page is cached per log revision).
    make_run(runner, {"twitching": False}, started_at=days_ago(0.1))
    home = main_of(runner_client.get(reverse("home")))
    assert shown_flags(home.find("section", cls="earlier-flags")) == ["weakness"]

    form = home.find("section", cls="earlier-flags").find("form")
    assert form.attrs["action"] == reverse("flags_seen", args=[flagged.pk])
    assert form.find("button").text.startswith("I've read this")
    response = runner_client.post(form.attrs["action"], {"next": reverse("home")})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    home = main_of(runner_client.get(reverse("home")))
    assert not home.find_all("section", cls="earlier-flags")
    assert "weakness" not in shown_flags(home)
    assert "Keep your routine" in home.text
    # The run's own page still shows the flag, now marked as read.
    detail = main_of(runner_client.get(reverse("run_detail", args=[flagged.pk])))
    assert shown_flags(detail) == ["weakness"]
    assert "You marked this as read" in detail.find(cls="seen-note").text


def test_read_is_noted_once_and_moves_the_log_revision(runner_client, runner, make_run, days_ago):
    run = make_run(runner, MILD_CHECKIN, started_at=days_ago(2))
    revision = Profile.objects.get(runner=runner).log_revision
    url = reverse("flags_seen", args=[run.pk])
    assert runner_client.post(url)["Location"] == reverse("run_detail", args=[run.pk])
    seen = CheckIn.objects.get(run=run).flags_seen_at
    assert seen is not None
    assert Profile.objects.get(runner=runner).log_revision == revision + 1
    runner_client.post(url)
    assert CheckIn.objects.get(run=run).flags_seen_at == seen
    assert Profile.objects.get(runner=runner).log_revision == revision + 1


def test_read_marker_is_the_runners_own_and_needs_a_post_with_a_token(
    client, runner, other_runner, make_run, days_ago
):
    run = make_run(runner, MILD_CHECKIN, started_at=days_ago(2))
    url = reverse("flags_seen", args=[run.pk])
    client.force_login(other_runner)
    assert client.post(url).status_code == 404
    client.force_login(runner)
    assert client.get(url).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(runner)
    assert strict.post(url).status_code == 403
    assert CheckIn.objects.get(run=run).flags_seen_at is None


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_read_marker_never_redirects_off_site(runner_client, runner, make_run, days_ago, next_url):
    run = make_run(runner, MILD_CHECKIN, started_at=days_ago(2))
    response = runner_client.post(reverse("flags_seen", args=[run.pk]), {"next": next_url})
    assert response["Location"] == reverse("run_detail", args=[run.pk])


def test_a_run_without_a_checkin_has_nothing_to_mark(runner_client, runner, make_run):
    run = make_run(runner)
    response = runner_client.post(reverse("flags_seen", args=[run.pk]))
    assert response.status_code == 302
    assert not CheckIn.objects.filter(run=run).exists()


def test_home_lets_old_flags_go_and_puts_urgent_ones_first(runner_client, runner, make_run, days_ago):
    make_run(runner, MILD_CHECKIN, started_at=days_ago(FLAGS_OPEN_DAYS + 1))  # too old to keep
    make_run(runner, MILD_CHECKIN, started_at=days_ago(2))
    make_run(runner, {"twitching": False}, started_at=days_ago(0.1))
    home = main_of(runner_client.get(reverse("home")))
    assert shown_flags(home.find("section", cls="earlier-flags")) == ["weakness"]
    assert len(home.find_all(cls="flag-group")) == 1

    make_run(runner, {"twitching": False, "symptoms": ["cola_urine"]}, started_at=days_ago(5))
    home = main_of(runner_client.get(reverse("home")))
    # An urgent flag of any recent run leads; the milder one waits.
    assert "urgent-flags" in home.children[0].classes
    assert shown_flags(home) == ["muscle_breakdown"]


def test_home_shows_three_runs_with_unread_flags_in_full_and_the_rest_as_links(
    runner_client, runner, make_run, days_ago
):
    """(Its query count, flat whatever the number of such runs: tests/test_query_counts.py.)"""
    for day in range(1, 13):
        make_run(runner, MILD_CHECKIN, started_at=days_ago(day))
    page = runner_client.get(reverse("home"))
    earlier = main_of(page).find("section", cls="earlier-flags")
    assert len(earlier.find_all(cls="flag-group")) == 3  # the newest in full, the rest as links
    assert len(earlier.find("ul", cls="more-flags").find_all("li")) == 8


# --- every run gets a useful page ----------------------------------------------------------


def test_twitching_without_a_cause_says_so_with_general_tips_and_what_to_note(
    runner_client, runner, make_run
):
    run = make_run(
        runner,
        {"twitching": True, "muscles": ["calves"], "intensity": 3},
        distance_km=8.0,
        duration_min=None,
        effort=None,
        temperature_c=22,
        cooldown="walk_stretch",
    )
    assert not assess(run.answers()).causes
    main = main_of(runner_client.get(reverse("run_detail", args=[run.pk])))
    no_cause = main.find("section", cls="no-cause")
    assert "Nothing in your answers points to a cause" in no_cause.text
    noted = [li.text for li in no_cause.find("ul", cls="to-record").find_all("li")]
    assert "the humidity" in noted and "what you drank on the run" in noted
    assert "how long the run took" in noted
    assert not any("temperature" in item or "how you stopped" in item for item in noted)
    tips = main.find("section", cls="general-tips")
    # The article's general tips, less easing down: this runner walked and stretched.
    shown = [li.attrs["data-tip"] for li in tips.find_all("li", cls="tip")]
    assert shown == [code for code in GENERAL_TIP_CODES if code != "cooldown_walk"]
    assert TIPS["hydrate_before"].text in tips.text
    assert not any(words in main.text.lower() for words in REASSURING)
    assert_headings_in_order(main)

    home = main_of(runner_client.get(reverse("home")))
    assert "Nothing in your answers points to a cause" in home.find("section", cls="no-cause").text
    assert home.find("section", cls="general-tips").find_all("li", cls="tip")
    assert_headings_in_order(home)


def test_an_imported_run_invites_its_checkin_and_the_edit_page_creates_it(runner_client, runner):
    run = RunFactory(runner=runner, effort=None, run_type="", avg_heart_rate_bpm=148)
    main = main_of(runner_client.get(reverse("run_detail", args=[run.pk])))
    invite = main.find("section", cls="invite")
    button = invite.find("a")
    assert button.text == "Add how your muscles felt"
    assert button.attrs["href"] == reverse("run_edit", args=[run.pk])
    assert_headings_in_order(main)
    home = main_of(runner_client.get(reverse("home")))
    assert home.find("a", href=reverse("run_edit", args=[run.pk])).text == "Add how your muscles felt"

    form = runner_client.get(button.attrs["href"])
    assert form.status_code == 200
    body = checkin_post(muscles=["calves"], twitching="yes", intensity="4")
    body["started_at"] = timezone.localtime(run.started_at).strftime("%Y-%m-%dT%H:%M")
    response = runner_client.post(button.attrs["href"], body)
    assert response["Location"] == reverse("run_detail", args=[run.pk])
    checkin = CheckIn.objects.get(run=run)
    assert checkin.twitching is True and checkin.muscles == ["calves"]
    assert Run.objects.filter(runner=runner).count() == 1
    main = main_of(runner_client.get(reverse("run_detail", args=[run.pk])))
    assert not main.find_all("section", cls="invite")


# --- headings in order on every page ------------------------------------------------------


def test_home_headings_go_in_order(runner_client, runner, make_run):
    make_run(runner, MILD_CHECKIN, temperature_c=31, humidity_pct=60, duration_min=85, fluid_ml=0)
    main = main_of(runner_client.get(reverse("home")))
    assert main.find_all("h3") or main.find_all("h2")
    assert_headings_in_order(main)


def test_preview_headings_sit_under_the_forms_sections(runner_client):
    """The preview lies inside the check-in form, whose sections are h2: its own are h3, h4."""
    response = runner_client.post(reverse("checkin_preview"), checkin_post(), headers={"HX-Request": "true"})
    root = parse(response)
    assert_headings_in_order(root, first=3)
