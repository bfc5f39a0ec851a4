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

    if integer:

        def clean_it(value: object) -> object:
            if type(value) is int:  # the common case, checked first for speed
                return value if low <= value <= high else INVALID
            return clean_number(value, low, high, integer=True, above_low=above_low)

    else:

        def clean_it(value: object) -> object:
            if type(value) is float or type(value) is int:  # NaN fails both comparisons
                if low < value <= high or (value == low and not above_low):
                    return float(value)
                return INVALID
            return clean_number(value, low, high, integer=False, above_low=above_low)

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


# The fast path of clean(): one lookup per key gives what kind of value it takes
# and its limits. Plain ints, floats, bools, code strings and lists of code
# strings are checked inline; anything else goes through CLEANERS, so the result
# is always the same as CLEANERS' (a test checks this).
_FLOAT, _INT, _BOOL, _ENUM, _CODES, _DATE, _OTHER = range(7)
_fromisoformat = dt.date.fromisoformat
_BOOL_KEYS = frozenset(BOOL_KEYS)
# key -> (kind, low or the codes, high, above low only?)
_SPECS: dict[str, tuple] = {}
for _key, (_low, _high) in RANGES.items():
    _SPECS[_key] = (_INT if _key in INT_KEYS else _FLOAT, _low, _high, _key in EXCLUSIVE_MIN)
for _key in BOOL_KEYS:
    _SPECS[_key] = (_BOOL, None, None, None)
for _key, _codes in ENUM_KEYS.items():
    _SPECS[_key] = (_ENUM, frozenset(_codes), None, None)
for _key, _codes in LIST_KEYS.items():
    _SPECS[_key] = (_CODES, frozenset(_codes), None, None)
_SPECS["date"] = (_DATE, None, None, None)
for _key in CLEANERS:
    _SPECS.setdefault(_key, (_OTHER, None, None, None))
del _key, _low, _high, _codes


def clean(answers: object) -> dict:
    """Only the known keys whose values are valid; anything else is left out.

    Accepts any object: a non-mapping counts as no answers at all.
    """
    return clean_for(answers, _SPECS)


def specs_without(keys: Iterable[str]) -> dict[str, tuple]:
    """The fast path's specs with `keys` left out: clean_for() with them skips those keys."""
    return {key: spec for key, spec in _SPECS.items() if key not in keys}


def clean_for(answers: object, specs: dict[str, tuple]) -> dict:
    """clean(), but only for the keys in `specs` (from specs_without) on a plain dict."""
    out: dict = {}
    if type(answers) is not dict:
        if not isinstance(answers, Mapping):
            return out
        try:
            items = list(answers.items())
        except Exception:  # a broken mapping: nothing can be trusted
            return out
        for pair in items:
            try:
                key, value = pair
                if type(key) is str:
                    value = _clean_value(key, value)
                    if value is not INVALID:
                        out[key] = value
            except Exception:  # noqa: S112 - a hostile pair or value: ignore it
                continue
        return out
    # A plain dict cannot raise while being read: plain values are checked inline.
    for key, value in answers.items():
        try:
            spec = specs.get(key)
            if spec is None or type(key) is not str:
                continue
            kind = type(value)
            if kind is bool:
                if spec[0] is _BOOL:
                    out[key] = value
                continue
            tag, low, high, above_low = spec
            if kind is int:
                if tag is _INT:
                    if low <= value <= high:
                        out[key] = value
                    continue
                if tag is _FLOAT:
                    if low < value <= high or (value == low and not above_low):
                        out[key] = float(value)
                    continue
            elif kind is float:
                if tag is _FLOAT:
                    if low < value <= high or (value == low and not above_low):  # NaN fails both
                        out[key] = value
                    continue
            elif kind is str:
                if tag is _ENUM:
                    if value in low:
                        out[key] = value
                    continue
                if tag is _DATE and len(value) == 10:
                    try:  # 'YYYY-MM-DD', the commonest form, as clean_date would read it first
                        out[key] = _fromisoformat(value)
                        continue
                    except ValueError:
                        pass
            elif kind is list and tag is _CODES:
                seen: list[str] = []
                for item in value:
                    if type(item) is not str:
                        break  # a str subclass or a non-string: the general path
                    if item in low and item not in seen:
                        seen.append(item)
                else:
                    out[key] = tuple(seen)
                    continue
            value = _clean_value(key, value)
            if value is not INVALID:
                out[key] = value
        except Exception:  # noqa: S112 - a hostile value (__eq__ or __float__ raising): ignore it
            continue
    return out


def _clean_value(key: str, value: object) -> object:
    """One answer through CLEANERS; a yes or no only where one belongs."""
    if type(value) is bool:
        return value if key in _BOOL_KEYS else INVALID
    cleaner = CLEANERS.get(key)
    return INVALID if cleaner is None else cleaner(value)


def clean_some(entry: object, keys: Iterable[str]) -> dict:
    """Like clean(), but only for `keys`: the fast path for long histories."""
    out: dict = {}
    if not isinstance(entry, Mapping):
        return out
    cleaners = CLEANERS
    for key in keys:
        try:
            value = entry.get(key, INVALID)
            if value is INVALID:
                continue
            value = cleaners[key](value)
            if value is not INVALID:
                out[key] = value
        except Exception:  # noqa: S112 - a hostile mapping or value: leave that key out
            continue
    return out
