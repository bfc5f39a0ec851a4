"""What the API takes and answers, as typed schemas: the OpenAPI description is built from them.

The keys are the domain's (shared/domain.md), metric, the same as the JSON export's. The
schemas check types and codes; the ranges, the plausibility of dates and the rule that a
check-in says something are the check-in form's (api.answers hands the values to it), so
the API and the form refuse the same values with the same words. The ranges are listed in
the description all the same, from the one table the form reads (advice.vocabulary.RANGES).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, Strict, StrictBool, StrictInt

from advice import COOLDOWNS, EXCLUSIVE_MIN, MEDICATIONS, MUSCLES, RANGES, RUN_TYPES, SYMPTOMS

# Numbers as JSON numbers (an integer is a number too), yes/no as true/false: "14" or "yes"
# is refused, not guessed at. None (null) means "not answered".
Number = Annotated[float, Strict()]
RunType = Literal[RUN_TYPES]
Cooldown = Literal[COOLDOWNS]
Muscle = Literal[MUSCLES]
Symptom = Literal[SYMPTOMS]
Medication = Literal[MEDICATIONS]


def answer(key: str, description: str, **extra) -> Any:
    """An optional answer; its range (from RANGES) in the description, checked by the form."""
    if key in RANGES:
        low, high = RANGES[key]
        above = "exclusiveMinimum" if key in EXCLUSIVE_MIN else "minimum"
        extra = {above: low, "maximum": high, **extra}
    return Field(None, description=description, json_schema_extra=extra or None)


class Answers(Schema):
    """The check-in form's questions. Every key is optional: a missing key, or null, is not answered."""

    model_config = ConfigDict(extra="forbid")

    started_at: dt.datetime | None = Field(
        None,
        description="When the run started (ISO 8601; without an offset, in your time zone). "
        "Give this or finished_at, not both.",
    )
    finished_at: dt.datetime | None = Field(
        None,
        description="When you stopped: the start is worked out from duration_min. "
        "A new check-in with neither finished at the time it is sent.",
    )
    distance_km: Number | None = answer("distance_km", "Distance, km.")
    duration_min: Number | None = answer("duration_min", "Time, minutes.")
    effort: StrictInt | None = answer("effort", "Perceived effort, 1 easy to 10 all out.")
    run_type: RunType | None = answer("run_type", "Kind of run.")
    temperature_c: Number | None = answer("temperature_c", "Temperature, °C.")
    humidity_pct: Number | None = answer("humidity_pct", "Relative humidity, %.")
    fluid_ml: StrictInt | None = answer("fluid_ml", "Drunk during the run, ml.")
    electrolytes_during: StrictBool | None = answer(
        "electrolytes_during", "Electrolyte drink or tablets during the run."
    )
    carbs_before_g: StrictInt | None = answer("carbs_before_g", "Carbohydrate eaten before the run, g.")
    carbs_before_min: StrictInt | None = answer(
        "carbs_before_min", "How long before the start it was eaten, minutes."
    )
    meal_before_h: Number | None = answer("meal_before_h", "Hours from the last proper meal to the start.")
    spicy_meal: StrictBool | None = answer("spicy_meal", "Spicy food before the run.")
    cooldown: Cooldown | None = answer("cooldown", "How you stopped.")
    weight_before_kg: Number | None = answer("weight_before_kg", "Body weight before the run, kg.")
    weight_after_kg: Number | None = answer("weight_after_kg", "Body weight after the run, kg.")
    twitching: StrictBool | None = answer("twitching", "Any twitching since the run.")
    muscles: list[Muscle] | None = answer("muscles", "Where it twitched (kept only with twitching true).")
    intensity: StrictInt | None = answer("intensity", "How strong, 0 barely to 10 very.")
    visible: StrictBool | None = answer("visible", "Twitches visible under the skin.")
    cramps: StrictBool | None = answer("cramps", "Painful cramps or spasms too.")
    weakness: StrictBool | None = answer("weakness", "A muscle feels weak.")
    symptoms: list[Symptom] | None = answer("symptoms", "Anything else.")
    urine_color: StrictInt | None = answer("urine_color", "Urine colour on the 8-point chart (1 very pale).")
    rehydrated: StrictBool | None = answer("rehydrated", "Drunk water with some salt or electrolytes since.")
    notes: str | None = Field(None, description="Notes, up to 2,000 characters.")
    avg_heart_rate_bpm: StrictInt | None = Field(
        None, description="Average heart rate, bpm.", json_schema_extra={"minimum": 20, "maximum": 250}
    )


class CheckInIn(Answers):
    """A new check-in: the run and how your muscles felt after it."""

    idempotency_key: uuid.UUID | None = Field(
        None,
        description="A UUID of your choosing, new for each check-in. Sent again (a retry), it "
        "returns the run stored the first time instead of storing a second one.",
    )


class RunPatch(Answers):
    """The answers to change: a key given replaces the stored answer (null clears it); the others stay."""


class FollowUpIn(Schema):
    """The follow-up in the days after a run with twitching. At least one answer."""

    model_config = ConfigDict(extra="forbid")

    sleep_disrupted: StrictBool | None = Field(None, description="Twitching disturbed your sleep.")
    still_twitching: StrictBool | None = Field(None, description="It is still twitching.")
    weakness: StrictBool | None = Field(None, description="A muscle feels weak.")
    daily_life_disrupted: StrictBool | None = Field(None, description="It gets in the way of your day.")


# --- Answers ---------------------------------------------------------------------------


class CheckInOut(Schema):
    twitching: bool | None
    muscles: list[Muscle]
    intensity: int | None
    visible: bool | None
    cramps: bool | None
    weakness: bool | None
    sleep_disrupted: bool | None
    daily_life_disrupted: bool | None
    symptoms: list[Symptom]
    urine_color: int | None
    rehydrated: bool | None
    medications: list[Medication] = Field(description="Copied from your profile when the check-in was made.")
    medication_changed: bool | None
    followup_at: dt.datetime | None = Field(description="When the follow-up was answered.")
    still_twitching: bool | None
    flags_seen_at: dt.datetime | None = Field(description="When you marked its red flags as read.")


class RunOut(Schema):
    """A run as the JSON export has it, with its id, a one-line summary in your units, and
    whether its follow-up is open."""

    id: int
    idempotency_key: uuid.UUID
    started_at: dt.datetime
    date: dt.date = Field(description="The day of the run, in your time zone when you ran.")
    distance_km: float | None
    duration_min: float | None
    effort: int | None
    run_type: RunType | Literal[""]
    temperature_c: float | None
    humidity_pct: float | None
    fluid_ml: int | None
    electrolytes_during: bool | None
    carbs_before_g: int | None
    carbs_before_min: int | None
    meal_before_h: float | None
    spicy_meal: bool | None
    cooldown: Cooldown | Literal[""]
    weight_before_kg: float | None
    weight_after_kg: float | None
    days_since_rest: int | None
    avg_heart_rate_bpm: int | None
    notes: str
    checkin: CheckInOut | None = Field(
        None, description="null: a run without a check-in (from a watch file)."
    )
    summary: str = Field(description="One line in your units, as the app lists runs.")
    followup_due: bool = Field(description="The follow-up of this run is open (POST …/followup).")


class RedFlagOut(Schema):
    code: str
    title: str
    because: list[str]
    care: str = Field(description="The care to seek.")
    urgent: bool
    reference: str


class CauseOut(Schema):
    code: str
    title: str
    score: float = Field(description="0 to 1: how strongly your answers point to it.")
    because: list[str] = Field(description="The reasons, in your own figures.")
    text: str
    evidence: str
    reference: str


class TipOut(Schema):
    code: str
    cause: str | None
    title: str
    text: str
    when: str = Field(description="now, before_next_run or this_week.")
    evidence: str
    reference: str
    plan: list[str] = Field(description="Figures tailored to this run (drinking, fuel, stretches), if any.")


class AssessmentOut(Schema):
    """The advice for one run, in the order the app shows it: red flags first.

    With an urgent red flag, only the urgent flags are given, and no causes or tips:
    the care to seek comes before everything else.
    """

    urgent: bool
    headline: str = Field(description="One line for a notification: the urgent care first.")
    red_flags: list[RedFlagOut] = Field(description="Reasons to see a doctor, urgent ones first.")
    causes: list[CauseOut] = Field(description="What may be linked to it, most likely first.")
    tips: list[TipOut]
    general_tips: list[TipOut] = Field(description="With twitching but no cause found: general prevention.")
    to_record_next_time: list[str] = Field(description="With no cause found: what to note next time.")
    notice: str = Field(description="Aftermath is not a medical device.")


class RunWithAdvice(Schema):
    run: RunOut
    assessment: AssessmentOut


class RunPage(Schema):
    count: int = Field(description="Runs matching the filters.")
    page: int
    pages: int
    page_size: int
    items: list[RunOut] = Field(description="Newest first.")


class RunLink(Schema):
    id: int
    date: dt.date


class HistoryFlagOut(Schema):
    code: str = Field(description="persistent, widespread or sleep.")
    title: str
    because: list[str]
    care: str
    urgent: bool
    runs: list[RunLink] = Field(description="The check-ins behind it, newest first.")


class PatternOut(Schema):
    code: str
    label: str
    with_runs: int = Field(description="Runs with the trigger where twitching was answered.")
    with_twitch: int
    without_runs: int
    without_twitch: int
    too_few: bool = Field(description="Fewer than 5 runs on a side: too few to compare.")


class HistoryOut(Schema):
    red_flags: list[HistoryFlagOut] = Field(description="What only a history shows, over the last 4 weeks.")
    patterns: list[PatternOut] = Field(
        description="How often twitching followed runs with and without each trigger."
    )
    notice: str


class Problem(Schema):
    detail: str


class FieldProblem(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(description="Each refused key with what is wrong with it.")
