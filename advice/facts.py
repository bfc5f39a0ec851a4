"""What the rules read about one check-in: its cleaned answers, and the figures
worked out from them by the functions that define them (hydration.py, heat.py).

Facts are read once per `assess`, before any rule runs; the rules (causes.py,
red_flags.py, after_run.py) only read them. Plain Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .heat import heat_band, heat_index_or_air_f, heat_level
from .history import twitched
from .hydration import body_mass_change_pct, replace_ml, sweat_rate_l_per_h
from .sentences import feels_like
from .units import Units, f_to_c, fmt_number
from .vocabulary import MUSCLES


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    answers: Mapping  # cleaned (clean.clean): every value valid
    units: Units  # for every figure a reason quotes
    history: tuple[Mapping, ...]  # earlier check-ins, as given (history.entries_of)
    twitched: bool  # twitching answered yes, or not answered but muscles named
    muscles: tuple[str, ...]  # the muscles that twitched, running muscles first (MUSCLES order)
    symptoms: frozenset[str]
    heat_index_f: float | None  # the NWS heat index; None without temperature and humidity
    heat_band: str | None  # of the heat index, or of the air temperature without humidity
    body_mass_change_pct: float | None  # negative: weight lost
    lost_kg: float | None  # weight before minus after (negative: gained), with a plausible change
    sweat_rate_l_per_h: float | None
    replace_ml: int | None  # ACSM 2007: 1.5 l per kg lost
    body_weight_kg: float | None  # the profile's, else the weight before the run
    load: int | None  # effort x minutes: the session's load (session RPE, Foster 2001)

    @property
    def heat_level(self) -> int:
        """0 below the caution band, 1 (caution) to 4 (extreme danger)."""
        return heat_level(self.heat_band)

    @property
    def minutes(self) -> int | None:
        duration = self.answers.get("duration_min")
        return round(duration) if duration is not None else None

    @property
    def minutes_text(self) -> str | None:
        """'85 min', as the reasons quote the run's length."""
        return f"{self.minutes} min" if self.minutes is not None else None

    @property
    def lost_text(self) -> str | None:
        """The weight lost in the runner's units, when some was lost."""
        if self.lost_kg is None or self.lost_kg <= 0:
            return None
        return self.units.fmt_weight(self.lost_kg)

    @property
    def weather_text(self) -> str:
        """'31 °C and 75% humidity (feels like 39 °C)', or the air temperature alone."""
        u = self.units
        temperature = self.answers["temperature_c"]
        text = u.fmt_temperature(temperature)
        humidity = self.answers.get("humidity_pct")
        if humidity is None:
            return text
        text = f"{text} and {fmt_number(humidity, 1)}% humidity"
        # The heat index says how hot it feels; quote it only where it differs from the air.
        if abs(f_to_c(self.heat_index_f) - temperature) >= 1:
            text += f" (feels like {feels_like(u, self.heat_index_f)})"
        return text


def read_facts(
    answers: Mapping, *, units: Units, history: tuple[Mapping, ...], body_weight_kg: float | None
) -> Facts:
    """The facts of cleaned `answers`; `body_weight_kg` is the profile's, or None."""
    before = answers.get("weight_before_kg")
    after = answers.get("weight_after_kg")
    change = body_mass_change_pct(before, after)
    humidity = answers.get("humidity_pct")
    felt_f = heat_index_or_air_f(answers.get("temperature_c"), humidity)
    is_twitching = twitched(answers)
    effort = answers.get("effort")
    duration = answers.get("duration_min")
    return Facts(
        answers=answers,
        units=units,
        history=history,
        twitched=is_twitching,
        muscles=tuple(m for m in MUSCLES if m in answers.get("muscles", ())) if is_twitching else (),
        symptoms=frozenset(answers.get("symptoms", ())),
        heat_index_f=felt_f if humidity is not None else None,
        heat_band=heat_band(felt_f),
        body_mass_change_pct=change,
        lost_kg=before - after if change is not None else None,
        sweat_rate_l_per_h=sweat_rate_l_per_h(before, after, answers.get("fluid_ml"), duration),
        replace_ml=replace_ml(before, after),
        body_weight_kg=body_weight_kg if body_weight_kg is not None else before,
        load=round(effort * duration) if effort and duration else None,
    )
