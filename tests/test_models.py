"""Models: database constraints, idempotency, the answers mapping, scoping."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from checkins.models import CheckIn, Profile, Run
from tests.factories import RunFactory, UserFactory

pytestmark = pytest.mark.django_db

# (field, a value the domain refuses) — each must be refused by the database too.
OUT_OF_RANGE_RUN = [
    ("distance_km", 0),
    ("distance_km", 300.5),
    ("duration_min", 0),
    ("duration_min", 2001),
    ("effort", 0),
    ("effort", 11),
    ("temperature_c", -41),
    ("temperature_c", 51),
    ("humidity_pct", 101),
    ("fluid_ml", 6001),
    ("carbs_before_g", 401),
    ("carbs_before_min", 1441),
    ("meal_before_h", 48.5),
    ("weight_before_kg", 24),
    ("weight_after_kg", 251),
    ("run_type", "sprint"),
    ("cooldown", "sofa"),
]


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE_RUN)
def test_database_refuses_out_of_range_run_values(field, value):
    run = RunFactory()
    setattr(run, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        run.save()


@pytest.mark.parametrize(("field", "value"), OUT_OF_RANGE_RUN)
def test_model_validation_refuses_the_same_values(field, value):
    run = RunFactory.build(runner=UserFactory())
    run.date = dt.date(2026, 11, 1)
    setattr(run, field, value)
    with pytest.raises(ValidationError) as caught:
        run.full_clean()
    assert field in caught.value.message_dict


@pytest.mark.parametrize(("field", "value"), [("intensity", 11), ("urine_color", 0), ("urine_color", 9)])
def test_database_refuses_out_of_range_checkin_values(field, value):
    run = RunFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.create(run=run, **{field: value})


def test_profile_body_weight_constraint():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Profile.objects.filter(runner=user).update(body_weight_kg=20)


def test_boundaries_are_accepted():
    run = RunFactory(distance_km=300, duration_min=2000, effort=10, temperature_c=-40, humidity_pct=0)
    CheckIn.objects.create(run=run, intensity=0, urine_color=8)
    run.refresh_from_db()
    assert run.checkin.urine_color == 8


def test_idempotency_key_is_unique_per_runner_only():
    key = uuid.uuid4()
    first = RunFactory(idempotency_key=key)
    RunFactory(idempotency_key=key)  # another runner may, by chance, use the same key
    with pytest.raises(IntegrityError), transaction.atomic():
        RunFactory(runner=first.runner, idempotency_key=key)
    assert Run.objects.filter(idempotency_key=key).count() == 2


def test_code_lists_round_trip_and_filter_portably():
    run = RunFactory()
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves", "quads"], symptoms=["thirst"])
    other = RunFactory(runner=run.runner)
    CheckIn.objects.create(run=other, twitching=True, muscles=["hamstrings"])
    checkin = CheckIn.objects.get(run=run)
    assert checkin.muscles == ["calves", "quads"]
    assert checkin.symptoms == ["thirst"]
    matched = CheckIn.objects.filter(muscles__contains=",calves,")
    assert list(matched) == [checkin]
    # "calves" must not match a longer code that contains it, nor "ham" match "hamstrings".
    assert not CheckIn.objects.filter(muscles__contains=",ham,").exists()


def test_unknown_muscle_is_refused_by_validation():
    run = RunFactory()
    checkin = CheckIn(run=run, muscles=["calves", "tail"])
    with pytest.raises(ValidationError) as caught:
        checkin.full_clean()
    assert "muscles" in caught.value.message_dict


def test_runs_are_newest_first_and_scoped_to_their_runner():
    me, someone = UserFactory(), UserFactory()
    old = RunFactory(runner=me, started_at=dt.datetime(2026, 10, 1, 7, tzinfo=dt.UTC))
    new = RunFactory(runner=me, started_at=dt.datetime(2026, 10, 3, 7, tzinfo=dt.UTC))
    RunFactory(runner=someone)
    assert list(Run.objects.for_runner(me)) == [new, old]


def test_run_date_is_the_runners_local_day():
    user = UserFactory()
    user.profile.time_zone = "Pacific/Auckland"
    user.profile.save()
    # 20:00 UTC on 1 Nov is 09:00 on 2 Nov in Auckland.
    run = RunFactory(runner=user, started_at=dt.datetime(2026, 11, 1, 20, tzinfo=dt.UTC))
    assert run.date == dt.date(2026, 11, 2)
    assert user.profile.zone == zoneinfo.ZoneInfo("Pacific/Auckland")


def test_answers_hold_only_answered_keys_in_domain_vocabulary():
    run = RunFactory(
        started_at=dt.datetime(2026, 7, 14, 7, tzinfo=dt.UTC),
        distance_km=16.0,
        duration_min=85.0,
        effort=7,
        run_type="long",
        temperature_c=31.0,
        humidity_pct=40.0,
        fluid_ml=250,
        electrolytes_during=False,
        cooldown="none",
        weight_before_kg=70.0,
        weight_after_kg=68.4,
    )
    CheckIn.objects.create(
        run=run,
        twitching=True,
        muscles=["calves", "hamstrings"],
        intensity=6,
        cramps=True,
        symptoms=["thirst", "dark_urine"],
        urine_color=6,
        medications=["statins"],
    )
    run = Run.objects.with_checkin().get(pk=run.pk)
    answers = run.answers(days_since_rest=3)
    assert answers == {
        "date": dt.date(2026, 7, 14),
        "distance_km": 16.0,
        "duration_min": 85.0,
        "effort": 7,
        "run_type": "long",
        "temperature_c": 31.0,
        "humidity_pct": 40.0,
        "fluid_ml": 250,
        "electrolytes_during": False,
        "cooldown": "none",
        "weight_before_kg": 70.0,
        "weight_after_kg": 68.4,
        "days_since_rest": 3,
        "twitching": True,
        "muscles": ["calves", "hamstrings"],
        "intensity": 6,
        "cramps": True,
        "symptoms": ["thirst", "dark_urine"],
        "urine_color": 6,
        "medications": ["statins"],
    }


def test_answers_prefer_the_runners_own_days_since_rest():
    run = RunFactory(days_since_rest=0)
    assert run.answers(days_since_rest=5)["days_since_rest"] == 0


def test_answers_without_checkin_are_the_run_alone():
    run = RunFactory(distance_km=5.0, duration_min=30.0, effort=None, run_type="")
    assert run.answers() == {"date": run.date, "distance_km": 5.0, "duration_min": 30.0}


def test_answers_feed_the_advice_engine():
    from advice import assess

    run = RunFactory(temperature_c=31.0, humidity_pct=60.0, duration_min=85.0, fluid_ml=250)
    CheckIn.objects.create(run=run, twitching=True, muscles=["calves"], symptoms=["thirst"])
    run = Run.objects.with_checkin().get(pk=run.pk)
    assessment = assess(run.answers())
    assert "dehydration" in [cause.code for cause in assessment.causes]


def test_every_new_user_has_a_profile():
    user = UserFactory()
    assert Profile.objects.filter(runner=user).count() == 1
    assert not user.profile.has_acknowledged_notice


def test_notice_acknowledgement_is_stored_once():
    user = UserFactory()
    user.profile.acknowledge_notice()
    first = user.profile.notice_acknowledged_at
    user.profile.acknowledge_notice()
    user.profile.refresh_from_db()
    assert user.profile.notice_acknowledged_at == first


def test_email_is_unique_whatever_its_case():
    UserFactory(email="Ana@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="ana@example.org")
