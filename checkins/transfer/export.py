"""The runner's data, theirs to take away: a complete JSON export that imports back,
and a spreadsheet-safe CSV in the runner's units.

The JSON uses the domain's keys (shared/domain.md), metric, so a doctor's software
or another app can read it without Aftermath.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from advice import COOLDOWN_LABELS, MEDICATION_LABELS, MUSCLE_LABELS, RUN_TYPE_LABELS, SYMPTOM_LABELS

from .. import plausible
from ..logrevision import note_log_change, one_log_change
from ..models import CHECKIN_ANSWER_KEYS, RUN_ANSWER_KEYS, CheckIn, Experiment, Profile, Run
from ..plausible import local_time
from .watch_files import larger_than

FORMAT = "aftermath-export"
VERSION = 1
PROFILE_FIELDS = (
    "distance_unit",
    "temperature_unit",
    "volume_unit",
    "weight_unit",
    "time_zone",
    "body_weight_kg",
    "medications",
    "medication_changed",
)
RUN_EXTRA_FIELDS = ("avg_heart_rate_bpm", "notes")
FOLLOWUP_FIELDS = ("still_twitching",)
# Stored on a check-in beside the answers: whether the runner kept to an experiment that day.
CHECKIN_EXTRA_FIELDS = ("experiment_kept",)
# An experiment as the export writes it (its runs' answers are on their check-ins). An export
# written before experiments existed has none: it loads as it always did.
EXPERIMENT_FIELDS = ("change", "weeks", "alternating", "start_day", "stopped_on", "active")


def _iso(value):
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def export_data(runner) -> dict:
    """Everything the runner stored: profile, runs, check-ins and follow-ups (two queries)."""
    profile = Profile.objects.get(runner=runner)
    runs = []
    for run in Run.objects.for_runner(runner).with_checkin().order_by("started_at"):
        item = {
            "idempotency_key": str(run.idempotency_key),
            "started_at": run.started_at.isoformat(),
            "date": run.date.isoformat(),
        }
        for key in (*RUN_ANSWER_KEYS, *RUN_EXTRA_FIELDS):
            item[key] = getattr(run, key)
        checkin = getattr(run, "checkin", None)
        if checkin is not None:
            answers = {key: getattr(checkin, key) for key in CHECKIN_ANSWER_KEYS}
            answers.update(
                followup_at=_iso(checkin.followup_at),
                still_twitching=checkin.still_twitching,
                flags_seen_at=_iso(checkin.flags_seen_at),
                experiment_kept=checkin.experiment_kept,
            )
            item["checkin"] = answers
        else:
            item["checkin"] = None
        runs.append(item)
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "account": {"email": runner.email, "date_joined": runner.date_joined.isoformat()},
        "profile": {
            **{field: getattr(profile, field) for field in PROFILE_FIELDS},
            "notice_acknowledged_at": _iso(profile.notice_acknowledged_at),
        },
        "runs": runs,
        "experiments": [
            {
                "idempotency_key": str(experiment.idempotency_key),
                **{name: _iso(getattr(experiment, name)) for name in EXPERIMENT_FIELDS},
            }
            for experiment in Experiment.objects.filter(runner=runner).order_by("start_day", "id")
        ],
    }


# --- Loading an export -------------------------------------------------------------
#
# In two steps, so that a task worker can do the second: `read_export` reads and checks
# the file as a whole (a file Aftermath cannot read is refused with one sentence), and
# `load_batches` stores its runs a batch at a time, each batch in a short transaction of
# its own (a check-in never waits long for the database), yielding its progress. Each run
# is checked on its own by the one rule of checkins.plausible: a run it refuses is named
# in a sentence and left out, the others come in.

MAX_EXPORT_BYTES = 25 * 1024 * 1024  # as the upload form has always taken
BATCH_SIZE = 25  # a batch holds the write lock about as long as one check-in does (bench_export_load.py)
MAX_REFUSALS = 200  # sentences kept; the rest are counted
LARGEST_INT_DIGITS = 15  # no stored value comes near it; a longer one is no number of a run


class ExportRefused(Exception):
    """The file is not an Aftermath export this version can read; str() is a sentence
    for the runner."""


@dataclass(frozen=True, slots=True)
class Export:
    """An export read and checked as a whole: its profile's values (checked, metric) and its
    runs as in the file (each is checked as it loads)."""

    profile: dict
    runs: list = field(repr=False)
    experiments: tuple = ()  # checked Experiment rows, not yet saved (none in older exports)

    @property
    def total(self) -> int:
        return len(self.runs)


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """Where a load is, after a batch: counts so far (cumulative)."""

    total: int  # runs in the file
    done: int  # runs looked at so far
    imported: int
    skipped: int  # already here (same key), or twice in the file
    refused: int
    refusals: tuple[str, ...]  # why, one sentence a run (the first MAX_REFUSALS, then a count)
    profile_loaded: bool  # the file's settings were taken over (an account without runs)

    @property
    def finished(self) -> bool:
        return self.done >= self.total


# Why a file is refused whole: sentences for the runner.
NOT_AN_EXPORT = "This is not an Aftermath export file."
NOT_UTF8 = "This file is not text in UTF-8, the encoding Aftermath writes its exports in."
TOO_DEEP = "This file is nested far more deeply than an Aftermath export: it is not one."
REPEATED = (
    "This file gives the same entry twice in one place, which Aftermath never writes: "
    "it was changed since it was exported, and it is not loaded."
)
NOT_A_NUMBER = (
    "This file holds a value that is not a number (NaN or Infinity), which Aftermath never "
    "writes: it is not loaded."
)
NO_RUNS = "The export has no list of runs."


def _too_large_number(text: str) -> ExportRefused:
    shown = text if len(text) <= 20 else text[:20] + "…"
    return ExportRefused(f"This file holds a number far too large for a run ({shown}): it is not loaded.")


def _no_repeats(pairs: list[tuple[str, object]]) -> dict:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ExportRefused(REPEATED)
    return found


def _no_constant(name: str):
    raise ExportRefused(NOT_A_NUMBER)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999
        raise _too_large_number(text)
    return value


def _small_int(text: str) -> int:
    if len(text.lstrip("-")) > LARGEST_INT_DIGITS:
        raise _too_large_number(text)
    return int(text)


def read_export(fileobj, *, limit: int = MAX_EXPORT_BYTES) -> Export:
    """Read an export from a binary file object: at most `limit` bytes (25 MB), UTF-8,
    JSON without repeated keys, NaN, Infinity or numbers out of all proportion, and the
    shape of an export with a profile Aftermath can take. ExportRefused otherwise, with
    a sentence for the runner. Only the parsed file is kept, not its text."""
    raw = fileobj.read(limit + 1)
    if len(raw) > limit:
        raise ExportRefused(f"This file is {larger_than(limit)}: it cannot be an Aftermath export.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ExportRefused(NOT_UTF8) from None
    del raw
    try:
        data = json.loads(
            text,
            object_pairs_hook=_no_repeats,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            parse_int=_small_int,
        )
    except RecursionError:
        raise ExportRefused(TOO_DEEP) from None
    except json.JSONDecodeError as error:
        raise ExportRefused(
            f"This file is not JSON (it goes wrong on line {error.lineno}), so it is not an Aftermath export."
        ) from None
    del text
    return export_from(data)


def export_from(data: object) -> Export:
    """An export from its parsed JSON: the top-level shape and the profile checked."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExportRefused(NOT_AN_EXPORT)
    version = data.get("version")
    if version is None:
        raise ExportRefused(f"This export names no version; this Aftermath reads version {VERSION}.")
    if version != VERSION or isinstance(version, bool):
        shown = plausible.shown(version)
        raise ExportRefused(f"This export is version {shown}; this Aftermath reads version {VERSION}.")
    runs = data.get("runs")
    if not isinstance(runs, list):
        raise ExportRefused(NO_RUNS)
    for number, item in enumerate(runs, start=1):
        if not isinstance(item, dict):
            raise ExportRefused(
                f"Run {number} of the file is not a run: the file is not an Aftermath export."
            )
    return Export(
        profile=_profile_values(data.get("profile")),
        runs=runs,
        experiments=_experiments(data.get("experiments")),
    )


BAD_EXPERIMENT = (
    "Experiment {number} of the file is not one Aftermath writes: it was changed since it was exported."
)


def _experiments(items: object) -> tuple:
    """The file's experiments, checked, as unsaved rows (no runner yet); ExportRefused for one
    that Aftermath could not have written. None given: none."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise ExportRefused("The export's list of experiments is not a list: it is not an Aftermath export.")
    found = []
    for number, item in enumerate(items, start=1):
        try:
            experiment = Experiment(
                idempotency_key=uuid.UUID(item["idempotency_key"]),
                change=item["change"],
                weeks=item["weeks"],
                alternating=item["alternating"],
                start_day=dt.date.fromisoformat(item["start_day"]),
                stopped_on=dt.date.fromisoformat(item["stopped_on"]) if item.get("stopped_on") else None,
                active=item["active"],
            )
            if not all(isinstance(item[name], bool) for name in ("alternating", "active")):
                raise ValueError
            experiment.full_clean(exclude=["runner"], validate_constraints=False)
        except (KeyError, TypeError, ValueError, AttributeError, ValidationError):
            raise ExportRefused(BAD_EXPERIMENT.format(number=number)) from None
        if not plausible.is_plausible_day(experiment.start_day):
            raise ExportRefused(BAD_EXPERIMENT.format(number=number))
        found.append(experiment)
    return tuple(found)


def _profile_values(values: object) -> dict:
    """The profile's values to take over, checked (none are given: an empty dict)."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise ExportRefused("The export's settings are not readable: it is not an Aftermath export.")
    taken = {name: values[name] for name in PROFILE_FIELDS if values.get(name) is not None}
    if values.get("notice_acknowledged_at") is not None:
        taken["notice_acknowledged_at"] = _moment(values["notice_acknowledged_at"])
    problems = plausible.profile_problems(taken)
    if problems:
        raise ExportRefused(f"The export's settings cannot be taken over: {'; '.join(problems)}.")
    return taken


def load_batches(
    runner, export: Export, *, batch_size: int = BATCH_SIZE, start: int = 0, on_batch=None
) -> Iterator[LoadProgress]:
    """Store an export's runs in this runner's account, `batch_size` at a time; yield the
    progress after each batch (at least once).

    The profile comes first, once, and only into an account with no runs yet. Runs
    already here (same idempotency key) are skipped, so loading a file again, or after
    a load was stopped half-way, stores every run exactly once. Each batch is one short
    transaction; each run is checked before it (checkins.plausible), and one the rule
    refuses is left out with a sentence saying why.

    `start` skips the runs a previous pass got through (a task worker resuming);
    `on_batch(progress)` runs inside each batch's transaction, so that what the caller
    records of the progress commits with the runs or not at all. The counts are this
    pass's.

    Call it outside a transaction (a task worker): inside one, the batches are
    savepoints and the write lock is held to the end.
    """
    total, done, imported, skipped, refused = export.total, start, 0, 0, 0
    refusals: list[str] = []
    seen: set[uuid.UUID] = set()  # keys met in the file so far
    profile_loaded = _load_profile(runner, export.profile) if not start else False
    if not start:
        _load_experiments(runner, export.experiments)
    zone = Profile.objects.get(runner=runner).zone
    for first in range(start, total, batch_size):
        ready = []
        for number, item in enumerate(export.runs[first : first + batch_size], start=first + 1):
            try:
                prepared = _prepare(runner, item, zone)
            except _Refused as refusal:
                refused += 1
                if len(refusals) < MAX_REFUSALS:
                    refusals.append(f"{_run_name(item, number)}: {refusal}")
                continue
            if prepared[0] in seen:
                skipped += 1
            else:
                seen.add(prepared[0])
                ready.append(prepared)
        with transaction.atomic():
            stored, here, failed = _store(runner, ready)
            imported, skipped = imported + stored, skipped + here
            for run in failed:  # should the database refuse what the rule took
                refused += 1
                if len(refusals) < MAX_REFUSALS:
                    refusals.append(f"Run of {run.date.day} {run.date:%b %Y}: it could not be stored")
            done = min(first + batch_size, total)
            progress = LoadProgress(
                total, done, imported, skipped, refused, _with_count(refusals, refused), profile_loaded
            )
            if on_batch is not None:
                on_batch(progress)
        yield progress
    if start >= total:
        progress = LoadProgress(total, total, 0, 0, 0, (), profile_loaded)
        if on_batch is not None:
            with transaction.atomic():
                on_batch(progress)
        yield progress


def _with_count(refusals: list[str], refused: int) -> tuple[str, ...]:
    more = refused - len(refusals)
    if more > 0:
        return (*refusals, f"And {more} more run{'s' if more != 1 else ''} not loaded")
    return tuple(refusals)


def import_data(runner, data: Export | object) -> tuple[int, int, list[str]]:
    """Load an export (read by read_export, or its parsed JSON) at once: (imported,
    skipped, refusals). A thin wrapper over load_batches, for the page that loads an
    export while the runner waits."""
    export = data if isinstance(data, Export) else export_from(data)
    (last,) = deque(load_batches(runner, export), maxlen=1)  # it yields at least once
    return last.imported, last.skipped, list(last.refusals)


class _Refused(Exception):
    """A run of the file that is not loaded; str() says why (a clause, no capital)."""


def _run_name(item: dict, number: int) -> str:
    """ "Run of 3 May 2024" by its day, or its start's, where one is plausible; else by its
    place in the file."""
    for day in (_day(item.get("date")), _moment(item.get("started_at"))):
        if isinstance(day, dt.datetime):
            day = day.date()
        if isinstance(day, dt.date) and plausible.is_plausible_day(day):
            return f"Run of {day.day} {day:%b %Y}"
    return f"Run {number} of the file"


def _prepare(runner, item: dict, zone) -> tuple[uuid.UUID, Run, CheckIn | None]:
    """The run (and check-in) an item of the file stores; _Refused with why not. No query."""
    try:
        key = uuid.UUID(item.get("idempotency_key"))
    except (TypeError, ValueError, AttributeError):
        raise _Refused("it has no valid key") from None
    started = _moment(item.get("started_at"))
    if started is None:
        raise _Refused("it has no start time")
    day = _day(item.get("date"))
    values = {"started_at": started, "date": day}
    values.update((name, item.get(name)) for name in (*RUN_ANSWER_KEYS, *RUN_EXTRA_FIELDS))
    answers = item.get("checkin")
    if answers is not None and not isinstance(answers, dict):
        raise _Refused("its check-in is not a set of answers")
    checkin_values = {}
    if answers is not None:
        checkin_values = {
            name: answers.get(name)
            for name in (*CHECKIN_ANSWER_KEYS, *FOLLOWUP_FIELDS, *CHECKIN_EXTRA_FIELDS)
        }
        checkin_values["followup_at"] = _moment(answers.get("followup_at"))
        checkin_values["flags_seen_at"] = _moment(answers.get("flags_seen_at"))
    # Times and days that could not be read stay as they were: the rule says what they are not.
    problems = plausible.run_problems({**values, **checkin_values})
    if problems:
        raise _Refused("; ".join(problems))
    if day is None:
        day = timezone.localtime(started, zone).date()
    run = Run(runner=runner, idempotency_key=key, started_at=started, date=day)
    for name, value in values.items():
        if value is not None and name not in ("started_at", "date"):
            setattr(run, name, _as_stored(name, value))
    checkin = None
    if answers is not None:
        checkin = CheckIn(run=run)
        for name, value in checkin_values.items():
            if value is not None:
                setattr(checkin, name, _as_stored(name, value))
    return key, run, checkin


def _as_stored(name: str, value: object) -> object:
    """5.0 for a whole number is 5; a list of codes stays a list."""
    rule = plausible.rule(name)
    if rule is not None and rule.kind == "whole" and isinstance(value, float):
        return int(value)
    return value


def _moment(value: object) -> object:
    """An exported time stamp back (aware: a naive one is UTC); a value that is not one is
    returned as it is, for the rule to name."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed but not on the calendar (30 February)
        moment = None
    if moment is None:
        return value
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


def _day(value: object) -> object:
    """An exported day back; a value that is not one is returned as it is, for the rule to name."""
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _load_profile(runner, values: dict) -> bool:
    """Take the file's settings over, in an account with no runs yet: True if they were."""
    if not values:
        return False
    with transaction.atomic():
        if Run.objects.for_runner(runner).exists():
            return False
        profile = Profile.objects.select_for_update().get(runner=runner)
        for name, value in values.items():
            if name == "notice_acknowledged_at":
                if profile.notice_acknowledged_at is None:
                    profile.notice_acknowledged_at = value
            else:
                setattr(profile, name, value)
        profile.save()
    return True


def _load_experiments(runner, experiments: tuple) -> int:
    """Store the file's experiments that are not here yet (same key), in one transaction: how
    many. One whose days overlap an experiment here is left out (the runner's experiments
    never overlap), and one going on comes in stopped if the runner has one going already."""
    if not experiments:
        return 0
    stored = 0
    with transaction.atomic():
        here = list(Experiment.objects.select_for_update().filter(runner=runner))
        for experiment in experiments:
            if any(
                other.idempotency_key == experiment.idempotency_key
                or (other.start_day <= experiment.last_day and experiment.start_day <= other.last_day)
                for other in here
            ):
                continue
            experiment.pk, experiment.runner = None, runner
            experiment._state.adding = True
            experiment.active = experiment.active and not any(other.active for other in here)
            experiment.save()
            here.append(experiment)
            stored += 1
        if stored:
            note_log_change([runner.pk])
    return stored


def _store(runner, ready: list) -> tuple[int, int, list]:
    """Store prepared runs (in the caller's transaction): (stored, already here, runs that
    failed). Should another load store one of these runs meanwhile, the unique key refuses
    the batch, which is then stored again a run at a time."""
    if not ready:
        return 0, 0, []
    here = _keys_here(runner, [key for key, _, _ in ready])
    new = [(key, run, checkin) for key, run, checkin in ready if key not in here]
    if not new:
        return 0, len(here), []
    try:
        with transaction.atomic(), one_log_change(runner.pk):
            Run.objects.bulk_create([run for _, run, _ in new])
            checkins = []
            for _, run, checkin in new:
                if checkin is not None:
                    checkin.run = run
                    checkins.append(checkin)
            CheckIn.objects.bulk_create(checkins)
    except IntegrityError:
        return _store_one_by_one(runner, ready)
    return len(new), len(here), []


def _keys_here(runner, keys: list) -> set:
    """Which of these runs the runner has already."""
    found = Run.objects.for_runner(runner).filter(idempotency_key__in=keys).order_by()
    return set(found.values_list("idempotency_key", flat=True))


def _store_one_by_one(runner, ready: list) -> tuple[int, int, list]:
    stored, here, failed = 0, 0, []
    for key, run, checkin in ready:
        run.pk = None
        run._state.adding = True
        try:
            with transaction.atomic():
                if Run.objects.for_runner(runner).filter(idempotency_key=key).exists():
                    here += 1
                    continue
                run.save()
                if checkin is not None:
                    checkin.pk, checkin.run = None, run
                    checkin._state.adding = True
                    checkin.save()
            stored += 1
        except IntegrityError:
            failed.append(run)
    return stored, here, failed


# --- CSV ------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _codes(codes, labels) -> str:
    return ", ".join(labels.get(code, code) for code in codes or ())


def _yes_no(value) -> str:
    return "" if value is None else ("yes" if value else "no")


def export_csv(runner, units) -> str:
    """One row a run with its check-in, in the runner's units."""
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(
        [
            "date",
            "start",
            f"distance ({units.distance_label})",
            "duration (min)",
            "effort (1-10)",
            "run type",
            f"temperature ({units.temperature_label})",
            "humidity (%)",
            f"drunk ({units.volume_label})",
            "electrolytes during",
            "carbohydrate before (g)",
            "carbohydrate minutes before",
            "hours since meal",
            "spicy meal",
            "cool-down",
            f"weight before ({units.weight_label})",
            f"weight after ({units.weight_label})",
            "days in a row",
            "average heart rate (bpm)",
            "twitching",
            "muscles",
            "intensity (0-10)",
            "visible",
            "cramps",
            "weakness",
            "sleep disrupted",
            "daily life disrupted",
            "symptoms",
            "urine colour (1-8)",
            "rehydrated",
            "medicines",
            "medicine changed",
            "notes",
        ]
    )

    def num(value, convert=None, digits=1):
        if value is None:
            return ""
        return f"{round(convert(value) if convert else value, digits):g}"

    for run in Run.objects.for_runner(runner).with_checkin().order_by("started_at"):
        checkin = getattr(run, "checkin", None)

        def get(name, checkin=checkin):
            return None if checkin is None else getattr(checkin, name)

        writer.writerow(
            [
                run.date.isoformat(),
                local_time(run.started_at).strftime("%H:%M"),
                num(run.distance_km, units.distance_from_km, 2),
                num(run.duration_min),
                num(run.effort, digits=0),
                RUN_TYPE_LABELS.get(run.run_type, ""),
                num(run.temperature_c, units.temperature_from_c),
                num(run.humidity_pct, digits=0),
                num(run.fluid_ml, units.volume_from_ml, 0),
                _yes_no(run.electrolytes_during),
                num(run.carbs_before_g, digits=0),
                num(run.carbs_before_min, digits=0),
                num(run.meal_before_h),
                _yes_no(run.spicy_meal),
                COOLDOWN_LABELS.get(run.cooldown, ""),
                num(run.weight_before_kg, units.weight_from_kg),
                num(run.weight_after_kg, units.weight_from_kg),
                num(run.days_since_rest, digits=0),
                num(run.avg_heart_rate_bpm, digits=0),
                _yes_no(get("twitching")),
                _codes(get("muscles"), MUSCLE_LABELS),
                num(get("intensity"), digits=0),
                _yes_no(get("visible")),
                _yes_no(get("cramps")),
                _yes_no(get("weakness")),
                _yes_no(get("sleep_disrupted")),
                _yes_no(get("daily_life_disrupted")),
                _codes(get("symptoms"), SYMPTOM_LABELS),
                num(get("urine_color"), digits=0),
                _yes_no(get("rehydrated")),
                _codes(get("medications"), MEDICATION_LABELS),
                _yes_no(get("medication_changed")),
                spreadsheet_safe(run.notes),
            ]
        )
    return rows.getvalue()
