"""The check-in flow: the form in the runner's units, saving once, the guidance, edit,
delete and the next-morning follow-up."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Run
from loadtest.client import checkin_form
from tests.factories import RunFactory

pytestmark = pytest.mark.django_db


def checkin_post(**overrides) -> dict:
    """A hot, dry-throated run with twitching calves (the load client's body), starting now."""
    data = {**checkin_form(), "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_new_checkin_page_has_a_fresh_key_and_the_previous_runs_defaults(runner_client, runner, make_run):
    make_run(runner, distance_km=10.0, duration_min=55.0, effort=4, run_type="easy", cooldown="walk")
    response = runner_client.get(reverse("checkin_create"))
    form = response.context["form"]
    assert isinstance(form.initial["idempotency_key"], uuid.UUID)
    assert form.initial["distance"] == 10
    assert form.initial["run_type"] == "easy"
    assert form.initial["cooldown"] == "walk"
    assert "twitching" not in form.initial  # how the muscles feel is asked afresh every time
    second = runner_client.get(reverse("checkin_create")).context["form"]
    assert second.initial["idempotency_key"] != form.initial["idempotency_key"]


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
        assert f'value="{value}"' in page
    assert not Run.objects.filter(runner=runner).exists()


def test_htmx_save_redirects_the_client_and_errors_swap_the_form(runner_client, runner):
    response = runner_client.post(reverse("checkin_create"), checkin_post(), headers={"HX-Request": "true"})
    run = Run.objects.get(runner=runner)
    assert response["HX-Redirect"] == reverse("run_detail", args=[run.pk])
    response = runner_client.post(
        reverse("checkin_create"), checkin_post(distance="999"), headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert page.lstrip().startswith("<form")
    assert "<html" not in page
    assert "Enter a number above 0 up to 300 km." in page


def test_preview_shows_advice_and_field_errors_without_storing(runner_client, runner):
    response = runner_client.post(
        reverse("checkin_preview"), checkin_post(humidity_pct="250"), headers={"HX-Request": "true"}
    )
    page = response.content.decode()
    assert 'data-cause="dehydration"' in page
    assert "31 °C" in page
    assert (
        'id="err-humidity_pct" class="field-error" hx-swap-oob="true">Enter a number from 0 up to 100 %.'
        in page
    )
    assert not Run.objects.exists()


def test_guidance_page_puts_red_flags_first_with_the_notice(runner_client, runner):
    runner_client.post(
        reverse("checkin_create"), checkin_post(cramps="yes", symptoms=["dizziness", "thirst"])
    )
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    flag_at = page.index('data-flag="severe_cramps"')
    assert flag_at < page.index('data-cause="dehydration"') < page.index('data-tip="rehydrate_after"')
    flag_html = page[flag_at : page.index("</div>", flag_at)]
    assert "no medical device" in flag_html
    assert "emergency" in flag_html.lower()


def test_guidance_quotes_the_runners_own_figures_and_evidence(runner_client, runner):
    runner_client.post(reverse("checkin_create"), checkin_post())
    run = Run.objects.get(runner=runner)
    page = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert "85 min at a heat index of 31 °C" in page
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
    page = runner_client.get(reverse("run_detail", args=[run.pk])).content.decode()
    assert 'data-flag="sleep"' in page
    assert runner_client.get(reverse("home")).context["followup"] is None


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


def test_run_pages_keep_a_fixed_query_count(runner_client, runner, make_run, django_assert_max_num_queries):
    run = make_run(runner, checkin={"twitching": True, "muscles": ["calves"]})
    for days in range(1, 30):
        make_run(runner, started_at=timezone.now() - dt.timedelta(days=days), checkin={"twitching": False})
    for name in ("run_detail", "run_edit"):
        with django_assert_max_num_queries(9):
            assert runner_client.get(reverse(name, args=[run.pk])).status_code == 200
    with django_assert_max_num_queries(9):
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
    from checkins.guidance import save_checkin

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
