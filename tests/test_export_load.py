"""Loading an Aftermath export: every malformed file refused with one sentence for the
runner, each implausible run refused alone, and a load in short batches that stores
every run exactly once, however often it is stopped and started again."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from checkins.models import CheckIn, Run
from checkins.transfer import export as export_module
from checkins.transfer.export import (
    FORMAT,
    MAX_EXPORT_BYTES,
    VERSION,
    ExportRefused,
    LoadProgress,
    import_data,
    load_batches,
    read_export,
)
from checkins.transfer.watch_files import larger_than
from tests.helpers import run_worker

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2024, 5, 3, 7, 0, tzinfo=dt.UTC)


def run_item(n: int = 0, **changes) -> dict:
    """One run as an export holds it, on a day of May 2024 (n hours after DAY)."""
    started = DAY + dt.timedelta(hours=n)
    item = {
        "idempotency_key": str(uuid.UUID(int=n + 1)),
        "started_at": started.isoformat(),
        "date": started.date().isoformat(),
        "distance_km": 10.0,
        "duration_min": 55.0,
        "effort": 5,
        "run_type": "easy",
        "avg_heart_rate_bpm": 150,
        "notes": "",
        "checkin": {"twitching": True, "muscles": ["calves"], "intensity": 4} if n % 2 == 0 else None,
    }
    item.update(changes)
    return item


def export_of(runs: list, **top) -> dict:
    return {"format": FORMAT, "version": VERSION, "profile": {"distance_unit": "km"}, "runs": runs, **top}


def as_file(data) -> io.BytesIO:
    return io.BytesIO(data if isinstance(data, bytes) else json.dumps(data).encode())


def head(runs: str = "[]", profile: str = "{}") -> str:
    return f'{{"format": "{FORMAT}", "version": {VERSION}, "profile": {profile}, "runs": {runs}}}'


def readable(sentence: str) -> None:
    """A sentence for a runner: no code names, no Python."""
    assert not re.search(r"[a-z]_[a-z]", sentence), sentence
    assert not re.search(r"Error|Exception|Traceback|json|dict|NoneType|\bstr\b|\bint\b", sentence), sentence


# --- Files refused whole -----------------------------------------------------------------

NOT_JSON = "This file is not JSON (it goes wrong on line 1), so it is not an Aftermath export."
TOO_LARGE = "This file holds a number far too large for a run ({}): it is not loaded."
SETTINGS = "The export's settings cannot be taken over: {}."

MALFORMED = {
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, export_module.TOO_DEEP),
    "deep nesting in a run": (
        head(runs="[{" + '"notes": ' + "[" * 50_000 + "]" * 50_000 + "}]").encode(),
        export_module.TOO_DEEP,
    ),
    "a top-level list": (b"[]", "This is not an Aftermath export file."),
    "a list of exports": (json.dumps([export_of([])]).encode(), "This is not an Aftermath export file."),
    "a bare number": (b"12", "This is not an Aftermath export file."),
    "not JSON": (b"{not json", NOT_JSON),
    "empty": (b"", NOT_JSON),
    "not UTF-8": (head().encode().replace(b"{}", b'{"notes": "caf\xe9"}', 1), export_module.NOT_UTF8),
    "UTF-16": (head().encode("utf-16"), export_module.NOT_UTF8),
    "a repeated key": (
        f'{{"format": "{FORMAT}", "version": 1, "version": 1, "runs": []}}'.encode(),
        export_module.REPEATED,
    ),
    "a repeated key in a run": (
        head(runs='[{"distance_km": 5, "distance_km": 50}]').encode(),
        export_module.REPEATED,
    ),
    "NaN": (head(runs='[{"distance_km": NaN}]').encode(), export_module.NOT_A_NUMBER),
    "Infinity": (head(runs='[{"distance_km": Infinity}]').encode(), export_module.NOT_A_NUMBER),
    "-Infinity": (head(runs='[{"temperature_c": -Infinity}]').encode(), export_module.NOT_A_NUMBER),
    "1e999": (head(runs='[{"distance_km": 1e999}]').encode(), TOO_LARGE.format("1e999")),
    "-1e999": (head(runs='[{"distance_km": -1e999}]').encode(), TOO_LARGE.format("-1e999")),
    "a 5000-digit integer": (
        head(runs='[{"fluid_ml": ' + "9" * 5000 + "}]").encode(),
        TOO_LARGE.format("9" * 20 + "…"),
    ),
    "another format": (
        json.dumps({"format": "strava", "runs": []}).encode(),
        "This is not an Aftermath export file.",
    ),
    "a later version": (
        json.dumps(export_of([], version=2)).encode(),
        "This export is version 2; this Aftermath reads version 1.",
    ),
    "a version as text": (
        json.dumps(export_of([], version="1")).encode(),
        "This export is version “1”; this Aftermath reads version 1.",
    ),
    "no version": (
        json.dumps({"format": FORMAT, "runs": []}).encode(),
        "This export names no version; this Aftermath reads version 1.",
    ),
    "no runs": (json.dumps({"format": FORMAT, "version": 1}).encode(), "The export has no list of runs."),
    "runs as a mapping": (
        json.dumps(export_of({"a": run_item()})).encode(),
        "The export has no list of runs.",
    ),
    "a run that is a number": (
        json.dumps(export_of([run_item(), 7])).encode(),
        "Run 2 of the file is not a run: the file is not an Aftermath export.",
    ),
    "settings as a list": (
        json.dumps(export_of([], profile=["km"])).encode(),
        "The export's settings are not readable: it is not an Aftermath export.",
    ),
    "an unknown unit": (
        json.dumps(export_of([], profile={"distance_unit": "furlong"})).encode(),
        SETTINGS.format("the unit of distance (“furlong”) is not one Aftermath knows"),
    ),
    "a unit of the wrong type": (
        json.dumps(export_of([], profile={"temperature_unit": ["c"]})).encode(),
        SETTINGS.format("the unit of temperature (a list) is not one Aftermath knows"),
    ),
    "an unknown zone": (
        json.dumps(export_of([], profile={"time_zone": "Mars/Olympus_Mons"})).encode(),
        SETTINGS.format("the time zone (“Mars/Olympus_Mons”) is not one Aftermath knows"),
    ),
    "a body weight as text": (
        json.dumps(export_of([], profile={"body_weight_kg": "70"})).encode(),
        SETTINGS.format("the body weight (“70”) is not a number"),
    ),
    "a body weight as a list": (
        json.dumps(export_of([], profile={"body_weight_kg": [70]})).encode(),
        SETTINGS.format("the body weight (a list) is not a number"),
    ),
    "a body weight out of range": (
        json.dumps(export_of([], profile={"body_weight_kg": 700})).encode(),
        SETTINGS.format("the body weight (700 kg) is outside what Aftermath takes (25–250 kg)"),
    ),
    "medicines as text": (
        json.dumps(export_of([], profile={"medications": "statins"})).encode(),
        SETTINGS.format("the medicines (“statins”) are not a list of names"),
    ),
    "a yes or no as a number": (
        json.dumps(export_of([], profile={"medication_changed": 1})).encode(),
        SETTINGS.format("the answer about a new or changed medicine (1) is not yes or no"),
    ),
    "a notice accepted in year 1": (
        json.dumps(export_of([], profile={"notice_acknowledged_at": "0001-01-01T00:00:00+00:00"})).encode(),
        SETTINGS.format("its time the first-use notice was accepted (0001-01-01) is not plausible"),
    ),
}


@pytest.mark.parametrize(("data", "sentence"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_is_refused_whole_with_one_sentence(runner, data, sentence):
    with pytest.raises(ExportRefused) as refused:
        read_export(io.BytesIO(data))
    assert str(refused.value) == sentence
    readable(sentence.replace("Mars/Olympus_Mons", ""))
    assert not Run.objects.exists()


ON_THE_PAGE = {name: case for name, case in MALFORMED.items() if name != "empty"}  # Django's own words


@pytest.mark.parametrize(("data", "sentence"), ON_THE_PAGE.values(), ids=ON_THE_PAGE.keys())
def test_the_load_page_shows_the_sentence_at_its_field(runner_client, runner, data, sentence):
    response = runner_client.post(
        reverse("import_export"), {"export": SimpleUploadedFile("mine.json", data, "application/json")}
    )
    if response.status_code == 400:  # refused at a first look, before any job
        errors = response.context["form"].errors["export"]
        assert errors == ["mine.json is not an Aftermath export (a .json file it made)."]
    else:  # read whole by the worker: its progress page shows the form again
        assert response.status_code == 302
        run_worker()
        page = runner_client.get(response["Location"])
        assert page.context["retry"].errors["export"] == [f"mine.json: {sentence}"]
    assert runner.profile.distance_unit == "km" and not Run.objects.exists()


def test_a_file_over_the_cap_is_refused_before_it_is_parsed():
    assert MAX_EXPORT_BYTES == 25 * 1024 * 1024  # today's cap, said in the refusal
    data = json.dumps(export_of([run_item(n) for n in range(20)])).encode()
    with pytest.raises(ExportRefused) as refused:
        read_export(io.BytesIO(data), limit=len(data) - 1)
    assert (
        str(refused.value) == f"This file is {larger_than(len(data) - 1)}: it cannot be an Aftermath export."
    )
    assert read_export(io.BytesIO(data), limit=len(data)).total == 20


def test_a_byte_order_mark_and_a_good_file_are_read():
    data = "\ufeff".encode() + json.dumps(export_of([run_item(0), run_item(1)])).encode()
    export = read_export(io.BytesIO(data))
    assert export.total == 2 and export.profile == {"distance_unit": "km"}


# --- Runs refused alone ------------------------------------------------------------------

PER_RUN = {
    "a start in year 1": (
        {"started_at": "0001-01-01T00:00:00+00:00"},
        "Run of 3 May 2024: its start time (0001-01-01) is not plausible",
    ),
    "a start in 9999": (
        {"started_at": "9999-12-31T23:59:00+00:00"},
        "Run of 3 May 2024: its start time (9999-12-31) is not plausible",
    ),
    "a day in year 1": ({"date": "0001-01-01"}, "Run of 3 May 2024: its day (0001-01-01) is not plausible"),
    "both in year 1": (
        {"date": "0001-01-01", "started_at": "0001-01-01T00:00:00"},
        "Run 1 of the file: its start time (0001-01-01) is not plausible; "
        "its day (0001-01-01) is not plausible",
    ),
    "a start that is no time": (
        {"started_at": "yesterday"},
        "Run of 3 May 2024: its start time (“yesterday”) is not a date and time",
    ),
    "30 February": (
        {"started_at": "2024-02-30T07:00:00+00:00", "date": None},
        "Run 1 of the file: its start time (“2024-02-30T07:00:00+00:00”) is not a date and time",
    ),
    "no start": ({"started_at": None}, "Run of 3 May 2024: it has no start time"),
    "no key": ({"idempotency_key": None}, "Run of 3 May 2024: it has no valid key"),
    "a key that is a list": ({"idempotency_key": ["x"]}, "Run of 3 May 2024: it has no valid key"),
    "a number as text": ({"distance_km": "10"}, "Run of 3 May 2024: the distance (“10”) is not a number"),
    "a number as a list": ({"duration_min": [55]}, "Run of 3 May 2024: the time (a list) is not a number"),
    "a number as yes": ({"effort": True}, "Run of 3 May 2024: the effort (yes) is not a number"),
    "a heart rate out of range": (
        {"avg_heart_rate_bpm": 300},
        "Run of 3 May 2024: the average heart rate (300 bpm) is outside what a run can have (20–250 bpm)",
    ),
    "a fraction of a whole number": (
        {"effort": 4.5},
        "Run of 3 May 2024: the effort (4.5) is not a whole number",
    ),
    "an unknown run type": (
        {"run_type": "sprint"},
        "Run of 3 May 2024: the type of run (“sprint”) is not one Aftermath knows",
    ),
    "an unknown muscle": (
        {"checkin": {"muscles": ["calves", "spleen"]}},
        "Run of 3 May 2024: the muscles that twitched include “spleen”, which Aftermath does not know",
    ),
    "a check-in that is a list": (
        {"checkin": [True]},
        "Run of 3 May 2024: its check-in is not a set of answers",
    ),
    "a follow-up in 9999": (
        {"checkin": {"followup_at": "9999-01-01T00:00:00+00:00"}},
        "Run of 3 May 2024: its follow-up time (9999-01-01) is not plausible",
    ),
    "a day far from its start": (
        {"date": "2024-06-03"},
        "Run of 3 Jun 2024: its day (2024-06-03) is not the day of its start time (2024-05-03)",
    ),
    "notes that are not text": ({"notes": 12}, "Run of 3 May 2024: the notes (12) are not text"),
}


@pytest.mark.parametrize(("changes", "sentence"), PER_RUN.values(), ids=PER_RUN.keys())
def test_an_implausible_run_is_refused_alone_with_its_sentence(runner, changes, sentence):
    data = json.dumps(export_of([run_item(0, **changes), run_item(1)])).encode()
    imported, skipped, refusals = import_data(runner, read_export(io.BytesIO(data)))
    assert (imported, skipped, refusals) == (1, 0, [sentence])
    readable(sentence)
    assert list(Run.objects.values_list("idempotency_key", flat=True)) == [uuid.UUID(int=2)]


def test_the_page_lists_a_refused_run_and_loads_the_rest(runner_client, runner):
    runs = [run_item(0, avg_heart_rate_bpm=300), run_item(1), run_item(2)]
    upload = SimpleUploadedFile("mine.json", json.dumps(export_of(runs)).encode(), "application/json")
    response = runner_client.post(reverse("import_export"), {"export": upload})
    run_worker()
    page = runner_client.get(response["Location"]).content.decode()
    assert "Done: 2 runs loaded, 0 already here, some not loaded (below)." in page
    assert "Run of 3 May 2024: the average heart rate (300 bpm) is outside what a run can have" in page
    assert Run.objects.count() == 2 and CheckIn.objects.count() == 1


def test_a_whole_number_written_with_a_point_is_stored_whole(runner):
    import_data(runner, export_of([run_item(0, effort=5.0, checkin={"intensity": 4.0})]))
    run = Run.objects.with_checkin().get()
    assert run.effort == 5 and isinstance(run.effort, int) and run.checkin.intensity == 4


def test_many_refusals_are_counted_not_all_spelled_out(runner):
    runs = [run_item(n, avg_heart_rate_bpm=999) for n in range(export_module.MAX_REFUSALS + 5)]
    imported, _, refusals = import_data(runner, export_of(runs))
    assert imported == 0 and len(refusals) == export_module.MAX_REFUSALS + 1
    assert refusals[-1] == "And 5 more runs not loaded"


# --- Batches: short transactions, every run exactly once -----------------------------------


def keys_stored(runner) -> list[uuid.UUID]:
    return sorted(Run.objects.for_runner(runner).values_list("idempotency_key", flat=True))


@pytest.mark.django_db(transaction=True)
def test_each_batch_is_committed_before_its_progress_is_yielded(runner):
    export = read_export(as_file(export_of([run_item(n) for n in range(250)])))
    seen = []
    for progress in load_batches(runner, export, batch_size=100):
        assert not connection.in_atomic_block  # no transaction held between batches
        assert Run.objects.for_runner(runner).count() == progress.imported
        seen.append((progress.done, progress.imported, progress.skipped, progress.refused))
    assert seen == [(100, 100, 0, 0), (200, 200, 0, 0), (250, 250, 0, 0)]
    assert progress == LoadProgress(250, 250, 250, 0, 0, (), True)
    assert progress.finished


@pytest.mark.django_db(transaction=True)
def test_a_load_stopped_half_way_and_started_again_stores_every_run_once(runner):
    runs = [run_item(n) for n in range(250)]
    runs[120] = run_item(120, started_at="0001-01-01T00:00:00+00:00")  # refused both times
    export = read_export(as_file(export_of(runs)))
    first = load_batches(runner, export, batch_size=100)
    assert next(first).imported == 100
    first.close()  # the worker is killed after its first batch
    assert len(keys_stored(runner)) == 100

    again = list(load_batches(runner, read_export(as_file(export_of(runs))), batch_size=100))
    last = again[-1]
    assert (last.imported, last.skipped, last.refused) == (149, 100, 1)
    assert last.refusals == ("Run of 8 May 2024: its start time (0001-01-01) is not plausible",)
    expected = sorted(uuid.UUID(int=n + 1) for n in range(250) if n != 120)
    assert keys_stored(runner) == expected  # each once
    assert CheckIn.objects.filter(run__runner=runner).count() == 124  # the even ones but the refused
    # And once more: nothing new.
    assert import_data(runner, export_of(runs))[:2] == (0, 249)


@pytest.mark.django_db(transaction=True)
def test_a_batch_killed_in_the_middle_leaves_nothing_of_itself(runner):
    export = read_export(as_file(export_of([run_item(n) for n in range(250)])))
    inserts = []

    def dies_before_the_second_batchs_checkins(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "checkins_checkin"'):
            inserts.append(sql)
            if len(inserts) == 2:  # its runs are inserted, its check-ins not yet
                raise SystemExit("killed")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(dies_before_the_second_batchs_checkins), pytest.raises(SystemExit):
        list(load_batches(runner, export, batch_size=100))
    assert len(keys_stored(runner)) == 100  # the second batch rolled back whole

    last = list(load_batches(runner, export, batch_size=100))[-1]
    assert (last.imported, last.skipped) == (150, 100)
    assert keys_stored(runner) == sorted(uuid.UUID(int=n + 1) for n in range(250))
    assert CheckIn.objects.filter(run__runner=runner).count() == 125


@pytest.mark.django_db(transaction=True)
def test_a_run_stored_by_another_load_meanwhile_is_skipped_not_doubled(runner, monkeypatch):
    """Two loads of one file at once: the other stored a run just after this batch looked up
    the runs already here (on PostgreSQL, in another transaction), so the batch's INSERT
    meets the unique key; the batch is then stored a run at a time."""
    runs = [run_item(n) for n in range(5)]
    import_data(runner, export_of([runs[2]]))  # the other load
    real_lookup = export_module._keys_here

    def stale_lookup(runner_, keys):  # as it was a moment before the other load committed
        monkeypatch.setattr(export_module, "_keys_here", real_lookup)
        return set()

    monkeypatch.setattr(export_module, "_keys_here", stale_lookup)
    last = list(load_batches(runner, read_export(as_file(export_of(runs)))))[-1]
    assert (last.imported, last.skipped, last.refusals) == (4, 1, ())
    assert keys_stored(runner) == [uuid.UUID(int=n + 1) for n in range(5)]
    assert CheckIn.objects.filter(run__runner=runner).count() == 3


def test_a_run_twice_in_the_file_is_stored_once(runner):
    runs = [run_item(0), run_item(1), run_item(0)]
    assert import_data(runner, export_of(runs)) == (2, 1, [])
    assert Run.objects.count() == 2


def test_the_profile_comes_first_and_only_into_an_account_without_runs(runner):
    settings = {"distance_unit": "mi", "time_zone": "America/New_York", "body_weight_kg": 70}
    progress = list(load_batches(runner, read_export(as_file(export_of([run_item(0)], profile=settings)))))
    runner.profile.refresh_from_db()
    assert progress[-1].profile_loaded
    assert (runner.profile.distance_unit, runner.profile.time_zone, runner.profile.body_weight_kg) == (
        "mi",
        "America/New_York",
        70,
    )
    later = export_of([run_item(1)], profile={"distance_unit": "km"})
    assert not list(load_batches(runner, read_export(as_file(later))))[-1].profile_loaded
    runner.profile.refresh_from_db()
    assert runner.profile.distance_unit == "mi"


def test_a_run_without_a_day_takes_its_start_day_in_the_runners_zone(runner):
    runner.profile.time_zone = "Pacific/Auckland"
    runner.profile.save()
    item = run_item(0, date=None, started_at="2024-05-03T20:00:00+00:00")  # 4 May in Auckland
    import_data(runner, export_of([item], profile=None))
    assert Run.objects.get().date == dt.date(2024, 5, 4)


def test_an_empty_export_yields_once(runner):
    progress = list(load_batches(runner, read_export(as_file(export_of([])))))
    assert progress == [LoadProgress(0, 0, 0, 0, 0, (), True)]


def test_a_load_bumps_the_log_revision_once_a_batch(runner):
    revision = runner.profile.log_revision
    export = read_export(as_file(export_of([run_item(n) for n in range(30)], profile=None)))
    with CaptureQueriesContext(connection) as queries:
        list(load_batches(runner, export, batch_size=10))
    statements = [q["sql"].split()[0] for q in queries if "SAVEPOINT" not in q["sql"]]
    # The profile's zone, then per batch: the keys here, the runs, the check-ins, the bump.
    assert statements == ["SELECT"] + ["SELECT", "INSERT", "INSERT", "UPDATE"] * 3, statements
    runner.profile.refresh_from_db()
    assert runner.profile.log_revision == revision + 3
    assert timezone.is_aware(Run.objects.first().started_at)
