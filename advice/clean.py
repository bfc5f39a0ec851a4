"""Turn any answers mapping into one the rules can trust.

Every key is optional and a missing key means "not answered" (domain.md). A
value of the wrong type or out of range is dropped, never guessed at, and
nothing here raises, whatever it is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from fractions import Fraction

from .vocabulary import BOOL_KEYS, ENUM_KEYS, EXCLUSIVE_MIN, INT_KEYS, LIST_KEYS, RANGES

INVALID = object()  # what a cleaner returns for a value it cannot trust


def clean_number(value: object, low: float, high: float, *, integer: bool, above_low: bool):
    """A real number within [low, high], or INVALID. bool is not a number here."""
    kind = type(value)
    if kind is float or kind is int:
        number = value
    elif kind is bool or value is None:
        return INVALID
    elif isinstance(value, str):
        if len(value) > 40:
            return INVALID
        try:
            number = float(value)
        except ValueError:
            return INVALID
    elif isinstance(value, int | float | Decimal | Fraction) and not isinstance(value, bool):
        number = float(value)
    else:
        return INVALID
    if not low <= number <= high or (above_low and number == low):  # NaN fails too
        return INVALID
    if integer:
        if number != int(number):
            return INVALID
        return int(number)
    return float(number)


def clean_date(value: object):
    """A datetime.date from a date, a datetime or an ISO string, or INVALID."""
    if type(value) is dt.date:
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return dt.date(value.year, value.month, value.day)
    if isinstance(value, str) and 0 < len(value) <= 40:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            return INVALID
    return INVALID


def clean_codes(value: object, codes: tuple[str, ...]):
    """Known codes from a list, tuple or set: deduplicated, order kept (sets: code order)."""
    if isinstance(value, list | tuple):
        seen: list[str] = []
        for item in value:
            if isinstance(item, str) and item in codes and item not in seen:
                seen.append(str(item))
        return tuple(seen)
    if isinstance(value, set | frozenset):
        return tuple(code for code in codes if code in value)
    return INVALID


def _number_cleaner(key: str) -> Callable[[object], object]:
    low, high = RANGES[key]
    integer = key in INT_KEYS
    above_low = key in EXCLUSIVE_MIN

    def clean_it(value: object) -> object:
        return clean_number(value, low, high, integer=integer, above_low=above_low)

    return clean_it


def _bool_cleaner(value: object) -> object:
    return value if value is True or value is False else INVALID


def _enum_cleaner(codes: tuple[str, ...]) -> Callable[[object], object]:
    def clean_it(value: object) -> object:
        return str(value) if isinstance(value, str) and value in codes else INVALID

    return clean_it


def _codes_cleaner(codes: tuple[str, ...]) -> Callable[[object], object]:
    def clean_it(value: object) -> object:
        return clean_codes(value, codes)

    return clean_it


CLEANERS: dict[str, Callable[[object], object]] = {"date": clean_date}
CLEANERS.update({key: _number_cleaner(key) for key in RANGES})
CLEANERS.update(dict.fromkeys(BOOL_KEYS, _bool_cleaner))
CLEANERS.update({key: _enum_cleaner(codes) for key, codes in ENUM_KEYS.items()})
CLEANERS.update({key: _codes_cleaner(codes) for key, codes in LIST_KEYS.items()})


def clean(answers: object) -> dict:
    """Only the known keys whose values are valid; anything else is left out.

    Accepts any object: a non-mapping counts as no answers at all.
    """
    out: dict = {}
    if not isinstance(answers, Mapping):
        return out
    try:
        items = list(answers.items())
    except Exception:  # a broken mapping: nothing can be trusted
        return out
    for pair in items:
        try:
            key, value = pair
            if type(key) is str and key in CLEANERS:  # a str subclass could pretend to be a key
                value = CLEANERS[key](value)
                if value is not INVALID:
                    out[key] = value
        except Exception:  # noqa: S112 - a hostile pair or value (__eq__ or __float__ raising): ignore it
            continue
    return out


def clean_some(entry: object, keys: Iterable[str]) -> dict:
    """Like clean(), but only for `keys`: what a rule over a long history reads of each entry."""
    out: dict = {}
    if not isinstance(entry, Mapping):
        return out
    for key in keys:
        try:
            value = entry.get(key, INVALID)
            if value is INVALID:
                continue
            value = CLEANERS[key](value)
            if value is not INVALID:
                out[key] = value
        except Exception:  # noqa: S112 - a hostile mapping or value: leave that key out
            continue
    return out


def clean_value(key: str, value: object) -> object:
    """One value for `key`, cleaned, or None when it is missing or invalid. Never raises."""
    try:
        value = CLEANERS[key](value)
    except Exception:  # a hostile value
        return None
    return None if value is INVALID else value
