"""Reading watch files: FIT, GPX and TCX files (optionally gzipped) and zips of them,
including a Strava bulk export. Pure parsing: no database, no Django.

Every failure a runner can cause with a file is an `ImportRefused` carrying a sentence
the page can show as it is; a parser's own exception never escapes `parse_activity`.

Choices, so that one figure means the same thing whatever the format:

* `duration_min` is the *moving* time when the file has one, else the elapsed time:
  FIT `total_timer_time` (pauses excluded), TCX the sum of the laps' `TotalTimeSeconds`,
  GPX what gpxpy's `get_duration()` gives (the sum of segment durations, so the gaps
  between segments and tracks are left out). That is the figure a runner knows as "my time".
* `elapsed_min` is start to finish: FIT `total_elapsed_time`, TCX the later of the lap
  sum and start-to-last-trackpoint, GPX the first to the last timed point.
* `distance_km` is None when the file has no distance or a distance of 0 (an indoor
  ride without a speed sensor): "unknown", never "0 km".

Budgets, so that no file can stall the worker that reads it (see MAX_RECORDS and
MAX_PARSE_SECONDS): a file is refused, with a sentence that says so, as soon as it passes
either. FIT files are read by a small decoder of our own (below) rather than fitdecode's
reader: it decodes only the handful of fields we use, at a few microseconds a record
instead of about a hundred, so that a real multi-day file is read in seconds and the
worst file within the limits is refused in about as long (fitdecode's profile tables still
name the sports, and the tests hold the decoder to fitdecode's reading). GPX and TCX are
read element by element, without building a tree, so that memory stays near the file's
own size; the GPX figures are computed as gpxpy computes them (the tests compare).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import dataclasses
import functools
import gzip
import io
import math
import os
import re
import struct
import sys
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.parsers import expat
from xml.parsers.expat import errors as expat_errors

import defusedxml
from fitdecode import profile as fit_profile

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_PARSE_SECONDS",
    "MAX_RATIO",
    "MAX_RECORDS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_BYTES",
    "MAX_ZIP_MEMBERS",
    "RUNNING_SPORTS",
    "Activity",
    "Archive",
    "ArchiveMember",
    "ImportRefused",
    "is_duplicate",
    "larger_than",
    "normalise_sport",
    "not_a_run",
    "open_archive",
    "parse_activity",
    "read_members",
    "sport_of",
]

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_ZIP_BYTES = 200 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # zip-bomb guard: declared and actually-read total
MAX_RATIO = 200  # per-member compression ratio guard

# The record budget. A watch recording every second writes one `record` message a second,
# and some add about as many again (Suunto's HRV messages, Garmin's GPS metadata): the
# samples hold 1.0 to 2.0 messages per recorded second. A multi-day ultra recorded each
# second has about 300,000 records, so up to ~600,000 messages. 1,000,000 (every FIT message
# counts one, a definition new to the file 32: see _FIT_NEW_DEFINITION_RECORDS) is 11.6 days
# at one message a second, or about 5.8 days at two. The same number caps a GPX or TCX
# file's track points, which the 25 MB byte cap keeps far lower anyway (a bare GPX point is
# about 70 bytes: ~370,000 points), and twice it (and a thousand spare) caps their XML
# elements: 25 MB of real TCX or GPX is at most ~1,000,000 elements (a TCX trackpoint has up
# to ~15 in ~400 bytes), while 25 MB of empty elements would be 6.5 million. Past the budget
# a file is refused, never read on.
MAX_RECORDS = 1_000_000
# The time budget, measured with time.monotonic from the start of parse_activity. The worst
# files within the byte and record caps are read or refused within seconds (see
# test_worst_files_stay_within_memory for the figures: the slowest, a FIT of a million
# records, takes 5 to 9 s on the development machine under load); 20 s leaves room for a
# slower machine, and stops anything we did not foresee.
MAX_PARSE_SECONDS = 20.0
XML_ELEMENTS_PER_RECORD = 2
XML_ELEMENTS_SPARE = 1000  # for what a file holds besides its points (metadata, laps)

RUNNING_SPORTS = frozenset({"running", "trail_running"})
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
CHUNK = 64 * 1024

# Runner-facing reasons, shared by the tests. A reason follows "<file name>: " and the page
# ends it with a full stop; none names a Python exception or a field's code name.
AGAIN = "Export it again from your watch's app and upload that"
RECORDED = "Export the recorded activity from your watch's app and upload that"
NOT_ACTIVITY = "not a FIT, GPX or TCX file"
UNREADABLE = f"the file could not be read as a FIT, GPX or TCX file. {AGAIN}"
EMPTY = "the file is empty"
CUT_SHORT = f"the file is cut short before any of the activity was recorded. {AGAIN}"
BAD_CRC = f"its checksum does not match, so the file was changed or damaged after the watch wrote it. {AGAIN}"
FIT_DAMAGED = f"the FIT data is damaged and could not be read. {AGAIN}"
FIT_HEADER_DAMAGED = f"the start of the FIT file is damaged. {AGAIN}"
XML_CUT_SHORT = f"the file is cut short (it ends before the document closes). {AGAIN}"
DOCTYPE = (
    f"it contains a document type declaration or entity definitions, which are refused for safety. {AGAIN}"
)
NESTED_TOO_DEEPLY = f"the file is nested too deeply to read. {AGAIN}"
ONE_RUN_PER_FILE = "Upload each run in a file of its own"


def too_many_records(limit: int) -> str:
    """Why a file past the record budget is refused."""
    span = f"{limit / 86400:.1f} days" if limit >= 2 * 86400 else f"{limit / 60:,.0f} minutes"
    return (
        f"it holds more than {limit:,} recorded points, more than a run recorded every second "
        f"for {span}. {ONE_RUN_PER_FILE}"
    )


def too_slow(seconds: float) -> str:
    """Why a file past the time budget is refused."""
    return (
        f"it took more than {seconds:g} seconds to read, far longer than a run's file takes. "
        f"{ONE_RUN_PER_FILE}"
    )


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def larger_than(limit: int) -> str:
    """ "larger than 25 MB": why a file over a size limit is refused."""
    return f"larger than {_mb(limit)}"


class ImportRefused(Exception):
    """A file or archive that cannot be imported; `reason` is written for the runner."""

    def __init__(self, filename: str, reason: str):
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


class _Budget:
    """How much one parse may do: `max_records` records and `max_seconds` of time.

    `record()` is called once per record read (a FIT message, a GPX or TCX track point),
    `element()` once per XML element; past a limit they raise ImportRefused. The clock is
    looked at every 256 calls (a call costs microseconds), so the deadline holds to well
    under a second.
    """

    CHECK_EVERY = 256

    def __init__(self, filename: str, max_records: int, max_seconds: float):
        self.filename = filename
        self.max_records = max_records
        self.max_elements = max_records * XML_ELEMENTS_PER_RECORD + XML_ELEMENTS_SPARE
        self.max_seconds = max_seconds
        self.deadline = time.monotonic() + max_seconds
        self.records = 0
        self.elements = 0

    def record(self) -> None:
        self.records += 1
        if self.records > self.max_records:
            raise ImportRefused(self.filename, too_many_records(self.max_records))
        if not self.records % self.CHECK_EVERY:
            self.check_time()

    def charge(self, records: int) -> None:
        """Work worth `records` records at once (a FIT definition worked out afresh)."""
        self.records += records
        if self.records > self.max_records:
            raise ImportRefused(self.filename, too_many_records(self.max_records))
        self.check_time()

    def element(self) -> None:
        self.elements += 1
        if self.elements > self.max_elements:
            raise ImportRefused(self.filename, too_many_records(self.max_records))
        if not self.elements % self.CHECK_EVERY:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise ImportRefused(self.filename, too_slow(self.max_seconds))


@dataclass(frozen=True)
class Activity:
    filename: str
    sport: str | None  # "running", "trail_running", "cycling", "walking", "hiking", other words, or None
    started_at: datetime  # timezone-aware, UTC
    distance_km: float | None  # None when unknown or 0
    duration_min: float | None  # moving/timer time when the file has it, else elapsed
    elapsed_min: float | None
    avg_heart_rate_bpm: int | None
    avg_temperature_c: float | None
    has_gps: bool
    source_format: str  # "fit" | "gpx" | "tcx"

    @property
    def pace_min_per_km(self) -> float | None:
        if not self.distance_km or not self.duration_min:
            return None
        return self.duration_min / self.distance_km


# --- is it a run? One rule for every path (a single file, a batch, a Strava export) ------

# With no sport named anywhere, the pace decides. Slower than 12 min/km (5 km/h) is a
# walk's pace: even a beginner's run-walk averages nearer 9-10 min/km. Faster than
# 2:15 min/km over 3 km or more is beyond anyone on foot (the 3000 m world record is
# 2:27 min/km): a ride. Too short or without a time or distance: taken as a run, so a
# real run without a sport is never refused for want of figures.
WALKING_PACE_MIN_PER_KM = 12.0
RIDING_PACE_MIN_PER_KM = 2.25
PACE_MIN_KM = 1.0
RIDING_MIN_KM = 3.0
KM_PER_MILE = 1.609344


def sport_of(activity: Activity | None, label: str | None = None) -> str | None:
    """The activity's sport: the runner's own label (a Strava export's "Activity Type")
    when there is one, else what the file says, normalised; None when neither says."""
    return normalise_sport(label) or (activity.sport if activity is not None else None)


def _pace_text(min_per_km: float, miles: bool) -> str:
    pace = min_per_km * (KM_PER_MILE if miles else 1)
    minutes, seconds = divmod(round(pace * 60), 60)
    return f"{minutes}:{seconds:02d} min/{'mi' if miles else 'km'}"


def not_a_run(activity: Activity | None, label: str | None = None, *, miles: bool = False) -> str | None:
    """None when this is a run; else why not, in a few words for the runner ("ride",
    "no sport in the file, and 15:25 min/km is a walking pace").

    The one rule of "is this a run": the runner's label (Strava's activity type), else
    the file's sport, else the pace of a file that names no sport.
    """
    sport = sport_of(activity, label)
    if sport is not None:
        if sport in RUNNING_SPORTS:
            return None
        named = label if normalise_sport(label) else sport
        return named.strip().lower().replace("_", " ")[:40]
    if activity is None:
        return "nothing in the file says what it is"
    pace = activity.pace_min_per_km
    if pace is None or activity.distance_km < PACE_MIN_KM:
        return None
    if pace > WALKING_PACE_MIN_PER_KM:
        return f"no sport in the file, and {_pace_text(pace, miles)} is a walking pace"
    if pace < RIDING_PACE_MIN_PER_KM and activity.distance_km >= RIDING_MIN_KM:
        return f"no sport in the file, and {_pace_text(pace, miles)} is faster than anyone runs"
    return None


# --- small helpers -----------------------------------------------------------------------

_SPORT_ALIASES = {
    "run": "running",
    "runs": "running",
    "jogging": "running",
    "treadmill": "running",
    "treadmill_running": "running",
    "indoor_running": "running",
    "virtual_run": "running",
    "virtual_running": "running",
    "track_running": "running",
    "street_running": "running",
    "road_running": "running",
    "trail_run": "trail_running",
    "trail": "trail_running",
    "ride": "cycling",
    "bike": "cycling",
    "biking": "cycling",
    "cycle": "cycling",
    "virtual_ride": "cycling",
    "road_biking": "cycling",
    "mountain_biking": "cycling",
    "walk": "walking",
    "hike": "hiking",
    "swim": "swimming",
    "other": "other",
}


def normalise_sport(value: object) -> str | None:
    """'Trail Run', 'trail-running', 'Biking' -> 'trail_running', 'cycling'; junk -> None."""
    if not isinstance(value, str):
        return None
    word = re.sub(r"[^a-z0-9]+", "_", value.strip().lower()).strip("_")
    if not word or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", word):
        return None
    return _SPORT_ALIASES.get(word, word)


def _fit_sport(sport: object, sub_sport: object) -> str | None:
    name = normalise_sport(sport)
    if name in (None, "generic", "all"):
        return None  # FIT's "generic": the device did not say
    sub = sub_sport if isinstance(sub_sport, str) else ""
    if name == "running" and sub == "trail":
        return "trail_running"
    return name


def _finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _positive(value: object) -> float | None:
    value = _finite(value)
    return value if value is not None and value > 0 else None


def _minutes(seconds: object) -> float | None:
    seconds = _positive(seconds)
    return seconds / 60 if seconds is not None else None


def _km(metres: object) -> float | None:
    metres = _positive(metres)
    return metres / 1000 if metres is not None else None


def _mean(total: float, count: int) -> float | None:
    return total / count if count else None


def _bpm(value: float | None) -> int | None:
    return round(value) if value is not None and 0 < value < 300 else None


def _utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return _utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        return None


def _local(tag: object) -> str:
    """'{namespace}hr' or 'gpxtpx:hr' -> 'hr'."""
    if not isinstance(tag, str):
        return ""  # comments, processing instructions
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


_local_name = functools.lru_cache(maxsize=512)(_local)  # element names repeat: a dict look-up


def _read_capped(stream, limit: int) -> bytes:
    """Read at most `limit` bytes, in chunks; one byte more means 'too large'."""
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _gunzip(filename: str, data: bytes) -> bytes:
    limit = MAX_FILE_BYTES
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = _read_capped(stream, limit)
    except EOFError as exc:
        raise ImportRefused(filename, f"the compressed file is cut short. {AGAIN}") from exc
    except (OSError, zlib.error) as exc:
        raise ImportRefused(filename, f"the compressed file is damaged. {AGAIN}") from exc
    if len(out) > limit:
        raise ImportRefused(filename, f"{larger_than(limit)} once uncompressed")
    return out


# --- the entry point ---------------------------------------------------------------------


def parse_activity(
    filename: str, data: bytes, *, max_records: int = MAX_RECORDS, max_seconds: float = MAX_PARSE_SECONDS
) -> Activity:
    """Read one FIT, GPX or TCX file (gzipped or not), detected by its content.

    The parse is budgeted: past `max_records` records (FIT messages, GPX or TCX track points)
    or `max_seconds` seconds it stops and the file is refused. Every failure is an
    ImportRefused with a sentence for the runner.
    """
    budget = _Budget(filename, max_records, max_seconds)
    if not isinstance(data, bytes):  # a memoryview or bytearray: the decoders want bytes
        data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(filename, larger_than(MAX_FILE_BYTES))
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(filename, data)
    if not data or data.isspace():  # (data.strip() would copy all 25 MB)
        raise ImportRefused(filename, EMPTY)
    try:
        if len(data) >= 12 and data[8:12] == b".FIT":
            return _parse_fit(filename, data, budget)
        return _parse_xml(filename, data, budget)
    except ImportRefused:
        raise
    except RecursionError as exc:
        raise ImportRefused(filename, NESTED_TOO_DEEPLY) from exc
    except Exception as exc:  # a parser's surprise is a refusal, never a crash
        raise ImportRefused(filename, UNREADABLE) from exc


# --- XML (shared by GPX and TCX) ---------------------------------------------------------
#
# GPX and TCX are read as a stream of elements: no tree is built, so memory stays near the
# file's own size whatever it holds, and the budget is checked at every element. A
# DOCTYPE, entities and external references are refused, as defusedxml refuses them.

_TRUNCATED_XML = {
    expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_TOKEN],
    expat_errors.codes[expat_errors.XML_ERROR_PARTIAL_CHAR],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}
_XML_ROOTS = ("gpx", "TrainingCenterDatabase")
_XML_CHUNK = 1 << 20
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
# Encodings expat reads by itself from bytes; any other declared one is decoded here first.
_EXPAT_ENCODINGS = frozenset({"utf_8", "ascii", "latin_1"})
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose mark begins it
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_LEADING = " \t\r\n\ufeff"


def _xml_source(filename: str, data: bytes) -> memoryview | str:
    """The document as the parser should get it: without a byte-order mark or the whitespace
    some exporters put before `<?xml` (a view, not a copy); as text when expat cannot decode
    it by itself (UTF-16 and UTF-32, with a byte-order mark or without one, or a declared
    multi-byte encoding)."""
    codec = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if codec is None and len(data) >= 2 and (data[0] == 0) != (data[1] == 0):
        codec = "utf-16-be" if data[0] == 0 else "utf-16-le"  # "<" or a space, then a NUL byte
    if codec in (None, "utf-8"):
        start = 3 if codec else 0
        head = data[start : start + 4096]
        start += len(head) - len(head.lstrip(b" \t\r\n"))
        view = memoryview(data)[start:]
        declared = _DECLARED_ENCODING.match(bytes(view[:256]))
        if declared is None:
            return view
        name = declared.group(1).decode("ascii")
        try:
            codec = codecs.lookup(name).name.replace("-", "_")
        except LookupError:
            reason = f"its text encoding ({name.replace('_', '-')}) is not one this app reads. {AGAIN}"
            raise ImportRefused(filename, reason) from None
        if codec in _EXPAT_ENCODINGS:
            return view
        if codec.startswith(("utf_16", "utf_32")):
            codec = "utf-8"  # declared so, but written in 8 bits: no NUL bytes
        data = view
    try:
        return codecs.decode(data, codec).lstrip(_LEADING)
    except UnicodeDecodeError:
        reason = f"its characters are damaged: they are not valid {codec.upper().replace('_', '-')}. {AGAIN}"
        raise ImportRefused(filename, reason) from None


class _XmlDocument:
    """Hands the parser's elements to a GPX or TCX reader, chosen by the root element; then
    steps aside, so that the reader gets the elements straight from the parser."""

    def __init__(self, filename: str, budget: _Budget, parser):
        self.filename = filename
        self.budget = budget
        self.parser = parser
        self.reader: _GpxReader | _TcxReader | None = None
        parser.StartElementHandler = self.root

    def root(self, tag: str, attrib: dict[str, str]) -> None:
        name = _local(tag)
        if name == "gpx":
            self.reader = _GpxReader(self.filename, self.budget)
        elif name == "TrainingCenterDatabase":
            self.reader = _TcxReader(self.filename, self.budget)
        else:
            raise ImportRefused(self.filename, NOT_ACTIVITY)
        parser = self.parser
        parser.StartElementHandler = self.reader.start
        parser.EndElementHandler = self.reader.end
        parser.CharacterDataHandler = self.reader.data
        self.reader.start(tag, attrib)


def _refuse_dtd(name, system_id, public_id, has_internal_subset) -> None:
    raise defusedxml.DTDForbidden(name, system_id, public_id)


def _refuse_entity(name, *args) -> None:
    raise defusedxml.EntitiesForbidden(name, None, None, None, None, None)


def _refuse_external(context, base, system_id, public_id) -> None:
    raise defusedxml.ExternalReferenceForbidden(context, base, system_id, public_id)


def _parse_xml(filename: str, data: bytes, budget: _Budget) -> Activity:
    """Read a GPX or TCX document safely: as defusedxml does, a DOCTYPE, entities and
    external references are refused; element by element, straight from expat (twice as
    fast as through ElementTree's parser, which matters at 25 MB)."""
    source = _xml_source(filename, data)
    if source[:1] not in ("<", b"<"):  # a memoryview compares equal to its bytes
        raise ImportRefused(filename, NOT_ACTIVITY)
    parser = expat.ParserCreate()  # no namespace processing: names as written ("gpxtpx:hr")
    parser.buffer_text = True
    parser.buffer_size = 1 << 16
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_entity
    parser.UnparsedEntityDeclHandler = _refuse_entity
    parser.ExternalEntityRefHandler = _refuse_external
    document = _XmlDocument(filename, budget, parser)
    try:
        for start in range(0, len(source), _XML_CHUNK):
            parser.Parse(source[start : start + _XML_CHUNK], False)
        parser.Parse(b"" if isinstance(source, memoryview) else "", True)
    except defusedxml.DTDForbidden as exc:
        if _local(exc.name) not in _XML_ROOTS:
            raise ImportRefused(filename, NOT_ACTIVITY) from exc
        raise ImportRefused(filename, DOCTYPE) from exc
    except defusedxml.DefusedXmlException as exc:
        raise ImportRefused(filename, DOCTYPE) from exc
    except expat.ExpatError as exc:
        head = source[:4096]
        head = head if isinstance(head, str) else bytes(head).decode("latin-1")
        if document.reader is None and "<gpx" not in head and "TrainingCenterDatabase" not in head:
            raise ImportRefused(filename, NOT_ACTIVITY) from exc
        if exc.code in _TRUNCATED_XML:
            raise ImportRefused(filename, XML_CUT_SHORT) from exc
        reason = f"the file is damaged: it is not well-formed XML (line {exc.lineno}). {AGAIN}"
        raise ImportRefused(filename, reason) from exc
    if document.reader is None:
        raise ImportRefused(filename, NOT_ACTIVITY)
    return document.reader.activity()


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return _finite(float(text))
    except ValueError:
        return None


class _XmlReader:
    """What the GPX and TCX readers share. They follow the document by depth (the root is
    0) and collect the text of at most one element at a time: `text` holds its parts,
    `text_at` its depth and `kind` what it is. Every element counts against the budget."""

    def __init__(self, filename: str, budget: _Budget):
        self.filename = filename
        self.budget = budget
        self.depth = -1
        self.text: list[str] | None = None
        self.text_at = -1
        self.kind = ""

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)

    def collect(self, kind: str, depth: int) -> None:
        self.text, self.text_at, self.kind = [], depth, kind

    def collected(self, depth: int) -> str | None:
        """At the end of the element at `depth`: its text, when it was being collected."""
        parts, self.text = self.text, None
        if parts is None or depth != self.text_at:
            return None
        return "".join(parts).strip() or None


# --- TCX ---------------------------------------------------------------------------------


class _TcxReader(_XmlReader):
    """A TCX document, element by element: the first Activity's laps (their time and
    distance) and trackpoints (time, heart rate, position, distance); of each, the first
    child of a name counts."""

    def __init__(self, filename: str, budget: _Budget):
        super().__init__(filename, budget)
        self.activity_at: int | None = None  # depth of the first Activity, once met
        self.activity_done = False
        self.sport: str | None = None
        self.activity_id: str | None = None
        self.id_seen = False
        self.lap_at: int | None = None
        self.lap_seen: set[str] = set()
        self.lap_seconds = self.lap_metres = 0.0
        self.first_lap_start: datetime | None = None
        self.point_at: int | None = None
        self.point: dict[str, str | None] = {}
        self.heart_at: int | None = None
        self.position_at: int | None = None
        self.hr_total, self.hr_count = 0.0, 0
        self.first_point: datetime | None = None
        self.last_point: datetime | None = None
        self.max_point_metres = 0.0
        self.has_gps = False

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.budget.element()
        depth = self.depth = self.depth + 1
        self.text = None
        if self.activity_done:
            return
        name = _local_name(tag)
        if self.activity_at is None:
            if name == "Activity":
                self.activity_at = depth
                self.sport = attrib.get("Sport")
            return
        if depth == self.activity_at + 1:
            if name == "Id" and not self.id_seen:
                self.id_seen = True
                self.collect("id", depth)
            elif name == "Lap":
                self.lap_at, self.lap_seen = depth, set()
                self.first_lap_start = self.first_lap_start or _parse_time(attrib.get("StartTime"))
        elif (
            self.lap_at is not None
            and depth == self.lap_at + 1
            and name in ("TotalTimeSeconds", "DistanceMeters")
            and name not in self.lap_seen
        ):
            self.lap_seen.add(name)
            self.collect("lap " + name, depth)
        if name == "Trackpoint":
            self.point_at, self.point = depth, {}
            self.heart_at = self.position_at = None
        elif self.point_at is not None and name not in self.point:
            if depth == self.point_at + 1:
                if name in ("Time", "DistanceMeters"):
                    self.point[name] = None
                    self.collect(name, depth)
                elif name == "HeartRateBpm":
                    self.point[name], self.heart_at = None, depth
                elif name == "Position":
                    self.point[name], self.position_at = None, depth
            elif (name == "Value" and depth == (self.heart_at or -2) + 1) or (
                name == "LatitudeDegrees" and depth == (self.position_at or -2) + 1
            ):
                self.point[name] = None
                self.collect(name, depth)

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        text = self.collected(depth)
        if self.activity_at is None or self.activity_done:
            return
        if depth == self.activity_at:
            self.activity_done = True
        elif text is not None:
            kind = self.kind
            if kind == "id":
                self.activity_id = text
            elif kind == "lap TotalTimeSeconds":
                self.lap_seconds += _float(text) or 0.0
            elif kind == "lap DistanceMeters":
                self.lap_metres += _float(text) or 0.0
            else:
                self.point[kind] = text
        elif depth == self.lap_at:
            self.lap_at = None
        if depth == self.point_at:
            self._point()
        elif depth == self.heart_at:
            self.heart_at = None
        elif depth == self.position_at:
            self.position_at = None

    def _point(self) -> None:
        self.budget.record()
        point, self.point_at = self.point, None
        when = _parse_time(point.get("Time"))
        if when is not None:
            self.first_point = self.first_point or when
            self.last_point = when
        bpm = _float(point.get("Value"))
        if bpm is not None and bpm > 0:
            self.hr_total += bpm
            self.hr_count += 1
        if point.get("LatitudeDegrees") is not None:
            self.has_gps = True
        metres = _float(point.get("DistanceMeters"))
        if metres is not None and metres > self.max_point_metres:
            self.max_point_metres = metres

    def activity(self) -> Activity:
        if self.activity_at is None:
            raise ImportRefused(self.filename, f"the TCX file holds no recorded activity. {RECORDED}")
        started_at = _parse_time(self.activity_id) or self.first_lap_start or self.first_point
        if started_at is None:
            raise ImportRefused(self.filename, f"the TCX file has no start time. {AGAIN}")
        last = self.last_point
        span = (last - started_at).total_seconds() if last else None
        moving = self.lap_seconds or None
        elapsed = max(s for s in (moving, span, 0.0) if s is not None) or None
        return Activity(
            filename=self.filename,
            sport=normalise_sport(self.sport),
            started_at=started_at,
            distance_km=_km(self.lap_metres or self.max_point_metres),
            duration_min=_minutes(moving or elapsed),
            elapsed_min=_minutes(elapsed),
            avg_heart_rate_bpm=_bpm(_mean(self.hr_total, self.hr_count)),
            avg_temperature_c=None,
            has_gps=self.has_gps,
            source_format="tcx",
        )


# --- GPX ---------------------------------------------------------------------------------
#
# Figures as gpxpy gives them (the tests compare): the distance is the sum over segments of
# the 2D distance between consecutive points (gpxpy.geo.distance: an equirectangular
# approximation, haversine past 0.2 degrees); the duration is the sum over segments of last
# minus first timed point (gpxpy's get_duration); the start and end are the first and last
# timed points. Heart rate and temperature: every hr/heartrate and atemp/temp element in a
# point's extensions, whatever its prefix.

_EARTH_RADIUS_M = 6378.137 * 1000
_ONE_DEGREE_M = 2 * math.pi * _EARTH_RADIUS_M / 360
_EXTENSION_KINDS = {"hr": "hr", "heartrate": "hr", "atemp": "temp", "temp": "temp"}


@functools.lru_cache(maxsize=512)
def _extension_kind(tag: str) -> str | None:
    return _EXTENSION_KINDS.get(_local(tag).lower())


# Strava writes its activity type as a number in the <type> of a GPX export ("9" for a
# run, "1" for a ride). Strava does not publish the numbering; these are the codes that
# open-source GPX readers agree on (see the question "What do the Strava GPX <type></type>
# elements mean", stackoverflow.com/questions/61903437, cited in erik/derive#65). Any other
# number is some other sport, so never a run: better a run left out than a ride taken in.
_STRAVA_GPX_TYPES = {"1": "cycling", "4": "hiking", "9": "running", "10": "walking", "16": "swimming"}


def _gpx_sport(text: str | None) -> str | None:
    """A GPX track's <type>: Strava's number or a word."""
    if text is not None and re.fullmatch(r"[0-9]{1,4}", text):
        return _STRAVA_GPX_TYPES.get(text.lstrip("0"), "other")
    return normalise_sport(text)


def _distance_2d(lat: float, lon: float, lat_before: float, lon_before: float) -> float:
    """gpxpy.geo.distance without elevation, from a point to the one before it."""
    if abs(lat - lat_before) > 0.2 or abs(lon - lon_before) > 0.2:  # haversine
        lat1, lat2 = math.radians(lat), math.radians(lat_before)
        d_lon = math.radians(lon - lon_before)
        a = math.sin((lat1 - lat2) / 2) ** 2 + math.sin(d_lon / 2) ** 2 * math.cos(lat1) * math.cos(lat2)
        return _EARTH_RADIUS_M * 2 * math.asin(math.sqrt(a))
    coef = math.cos(math.radians(lat))
    x = lat - lat_before
    y = (lon - lon_before) * coef
    return math.sqrt(x * x + y * y) * _ONE_DEGREE_M


class _GpxReader(_XmlReader):
    """A GPX document, element by element: gpx/trk/trkseg/trkpt points (position, their
    first time, heart rate and temperature from their extensions) and the first track's
    type."""

    def __init__(self, filename: str, budget: _Budget):
        super().__init__(filename, budget)
        self.in_track = False  # the open child of the root is a trk
        self.segment = False  # the open child of that trk is a trkseg
        self.point_at: int | None = None  # depth of the open trkpt (3)
        self.extensions_at: int | None = None  # depth of its open extensions (4)
        self.points = 0
        self.first_time: datetime | None = None
        self.last_time: datetime | None = None
        self.length = 0.0
        self.duration: float | None = 0.0
        self.hr_total = self.temp_total = 0.0
        self.hr_count = self.temp_count = 0
        self.type_text: str | None = None

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.budget.element()
        depth = self.depth = self.depth + 1
        self.text = None
        if self.point_at is not None:
            if depth == 4:
                name = _local_name(tag)
                if name == "time" and not self.time_seen:
                    self.time_seen = True
                    self.collect("time", depth)
                elif name == "extensions":
                    self.extensions_at = depth
            elif self.extensions_at is not None and (kind := _extension_kind(tag)):
                self.collect(kind, depth)
            return
        if depth > 3:
            return
        name = _local_name(tag)
        if depth == 1:
            self.in_track = name == "trk"
        elif not self.in_track:
            return
        elif depth == 2:
            if name == "trkseg":
                self._begin_segment()
            elif name == "type" and self.type_text is None:
                self.collect("type", depth)
        elif depth == 3 and self.segment and name == "trkpt":
            self.point_at = depth
            self.lat, self.lon = _float(attrib.get("lat")), _float(attrib.get("lon"))
            self.time: datetime | None = None
            self.time_seen = False

    def end(self, tag: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        text = self.collected(depth)
        if text is not None:
            self._text(self.kind, text)
        if depth == self.point_at:
            self._point()
        elif depth == self.extensions_at:
            self.extensions_at = None
        elif depth == 2 and self.segment:
            self._end_segment()

    def _text(self, kind: str, text: str) -> None:
        if kind == "time":
            self.time = _parse_time(text)
        elif kind == "type":
            self.type_text = text
        elif (value := _float(text)) is None:
            return
        elif kind == "hr":
            if value > 0:
                self.hr_total += value
                self.hr_count += 1
        else:
            self.temp_total += value
            self.temp_count += 1

    def _begin_segment(self) -> None:
        self.segment = True
        self.count = 0
        self.times: list[datetime | None] = [None, None, None, None]  # first, second, before last, last
        self.before: tuple[float, float] | None = None

    def _point(self) -> None:
        self.budget.record()
        self.point_at = self.extensions_at = None
        self.points += 1
        when = self.time
        if when is not None:
            self.first_time = self.first_time or when
            self.last_time = when
        times = self.times
        if self.count < 2:
            times[self.count] = when
        times[2], times[3] = times[3], when
        self.count += 1
        if self.lat is not None and self.lon is not None:
            if self.before is not None:
                self.length += _distance_2d(self.lat, self.lon, *self.before)
            self.before = (self.lat, self.lon)

    def _end_segment(self) -> None:
        self.segment = False
        if self.count < 2 or self.duration is None:
            return
        first_time, second, before_last, last_time = self.times
        first = first_time or second
        last = last_time or before_last
        if first is None or last is None or last < first:
            self.duration = None  # as gpxpy: a segment without times leaves the whole unknown
        else:
            self.duration += (last - first).total_seconds()

    def activity(self) -> Activity:
        if not self.points:
            reason = (
                f"the GPX file has no track points (a route or waypoints are no recorded run). {RECORDED}"
            )
            raise ImportRefused(self.filename, reason)
        started_at = self.first_time
        if started_at is None:
            reason = (
                "the GPX track has no times, so the start is unknown (a route drawn on a map has none). "
                f"{RECORDED}"
            )
            raise ImportRefused(self.filename, reason)
        elapsed = (self.last_time - started_at).total_seconds()
        temperature = _mean(self.temp_total, self.temp_count)
        return Activity(
            filename=self.filename,
            sport=_gpx_sport(self.type_text),
            started_at=started_at,
            distance_km=_km(self.length),
            duration_min=_minutes(self.duration) or _minutes(elapsed),
            elapsed_min=_minutes(elapsed),
            avg_heart_rate_bpm=_bpm(_mean(self.hr_total, self.hr_count)),
            avg_temperature_c=round(temperature, 1) if temperature is not None else None,
            has_gps=True,
            source_format="gpx",
        )


# --- FIT ---------------------------------------------------------------------------------
#
# A FIT file is a 12- or 14-byte header (its size, the length of the data that follows,
# ".FIT", an optional header CRC), then messages, then a 2-byte CRC of everything before
# it; several such files may follow one another. A message starts with a one-byte header:
# a definition (bit 6) says which global message a local number (bits 0-3) stands for and
# lays out its fields; a data message (or a "compressed timestamp" one, bit 7, which
# carries a 5-bit time offset instead of a timestamp field) holds the field values. We
# decode only the fields below and skip the rest by their sizes, so a message costs a
# struct.unpack_from at most.
#
# Damage, decided:
# * Cut short (the file ends before its declared length: the watch's battery died, or
#   it crashed): the whole messages before the cut are kept, and the activity is
#   computed from them (the session when it was written before the cut, else the
#   records). Only a file cut before anything was recorded is refused.
# * A whole file whose checksum does not match: refused. Its bytes were changed after the
#   watch wrote them (a bad copy, a failing card, a tool that edits the file), and the
#   damage could be in a time or a distance as easily as anywhere; a runner has the
#   intact file in the watch's app. A cut file has no checksum to compare: nothing says
#   its bytes were changed, only that the end is missing.
# * A header whose data length is 0 (never written, as by a watch that died): read to the
#   end of the file, as one cut short.
# * A whole file, checksum right, whose messages do not fit together (a data message with
#   no definition, one running past the end): refused as damaged. Bytes after a whole
#   FIT file that start no other are ignored.

_FIT_EPOCH_S = 631065600  # 1989-12-31T00:00:00Z, the FIT epoch, in Unix seconds
_FIT_DATETIME_MIN = 0x10000000  # smaller date_time values count seconds since power-on
_FIT_TIMESTAMP = 253

# Base type (as written in a definition) -> struct code and the "invalid" raw value.
_FIT_BASE: dict[int, tuple[str, int | None]] = {
    0x00: ("B", 0xFF),  # enum
    0x01: ("b", 0x7F),
    0x02: ("B", 0xFF),
    0x83: ("h", 0x7FFF),
    0x84: ("H", 0xFFFF),
    0x85: ("i", 0x7FFFFFFF),
    0x86: ("I", 0xFFFFFFFF),
    0x88: ("f", None),  # floats: NaN is invalid
    0x89: ("d", None),
    0x0A: ("B", 0),  # the "z" types: 0 is invalid
    0x8B: ("H", 0),
    0x8C: ("I", 0),
    0x8E: ("q", 0x7FFFFFFFFFFFFFFF),
    0x8F: ("Q", 0xFFFFFFFFFFFFFFFF),
    0x90: ("Q", 0),
}
_FIT_BYTE = 0x0D

# Global message -> {field number: name}, and the fields' scales, from the FIT profile
# (tests compare them with fitdecode's profile).
_FIT_FILE_ID, _FIT_SPORT, _FIT_SESSION, _FIT_RECORD = 0, 12, 18, 20
_FIT_FIELDS: dict[int, dict[int, str]] = {
    _FIT_FILE_ID: {0: "type", 4: "time_created"},
    _FIT_SPORT: {0: "sport", 1: "sub_sport"},
    _FIT_SESSION: {
        2: "start_time",
        5: "sport",
        6: "sub_sport",
        7: "total_elapsed_time",
        8: "total_timer_time",
        9: "total_distance",
        16: "avg_heart_rate",
        57: "avg_temperature",
    },
    _FIT_RECORD: {0: "position_lat", 1: "position_long", 3: "heart_rate", 5: "distance", 13: "temperature"},
}
# record.compressed_speed_distance (3 bytes): 12 bits of speed, then 12 bits of distance
# in 1/16 m that roll over and accumulate (old foot pods and watches).
_FIT_SPEED_DISTANCE = 8
# What to read of each message: its fields above, its timestamp, and in a record the old
# compressed speed and distance.
_FIT_WANTED_ANY = ((_FIT_TIMESTAMP, "timestamp"),)
_FIT_WANTED = {
    number: (
        *fields.items(),
        *_FIT_WANTED_ANY,
        *(((_FIT_SPEED_DISTANCE, "speed_distance"),) if number == _FIT_RECORD else ()),
    )
    for number, fields in _FIT_FIELDS.items()
}
_FIT_SCALES = {
    "total_elapsed_time": 1000.0,
    "total_timer_time": 1000.0,
    "total_distance": 100.0,
    "distance": 100.0,
}
_FIT_TIMES = frozenset({"timestamp", "start_time", "time_created"})
_FIT_ENUMS = {
    "type": fit_profile.FIELD_TYPES["file"].enum,
    "sport": fit_profile.FIELD_TYPES["sport"].enum,
    "sub_sport": fit_profile.FIELD_TYPES["sub_sport"].enum,
}


# Working out a definition not met before in the file costs about as much as 30 data
# messages (measured), so it counts as 32 records. Real files hold a few dozen (7 to 27 in
# the samples): a thousand records at most. A hostile file of a million distinct
# definitions is refused after 31,250 of them, not read for half a minute; the same one
# repeated costs one record a time.
_FIT_NEW_DEFINITION_RECORDS = 32


class _FitDamaged(Exception):
    """The messages do not fit together: read as damage, or as the cut of a cut-short file."""


class _FitCut(Exception):
    """A message runs past the end of the data."""


@dataclass(frozen=True)
class _FitDefinition:
    global_number: int
    size: int  # of the data message's fields, developer fields included
    unpack: object  # struct.Struct.unpack_from of the fields we read, or None
    names: tuple[str, ...]  # the names of the unpacked values, in order
    invalid: tuple[int | None, ...]
    speed_distance: bool  # record.compressed_speed_distance is among the values
    # For a record: where its values are among the unpacked ones (-1: not there), in the
    # order of _RECORD_SLOTS; None for other messages.
    slots: tuple[int, ...] | None


_RECORD_SLOTS = ("timestamp", "heart_rate", "temperature", "distance", "position_lat", "position_long")


@functools.lru_cache(maxsize=1024)  # bounded: a hostile file may lay out a million formats
def _struct(fmt: str) -> struct.Struct:
    return struct.Struct(fmt)


def _definition_bytes(body: bytes, at: int, end: int, developer: bool) -> int:
    """Where the definition message whose header byte is at `at` ends."""
    if at + 6 > end:
        raise _FitCut
    after = at + 6 + 3 * body[at + 5]
    if after > end:
        raise _FitCut
    if developer:
        if after + 1 > end:
            raise _FitCut
        after += 1 + 3 * body[after]
        if after > end:
            raise _FitCut
    return after


def _definition(raw: bytes, developer: bool) -> _FitDefinition:
    """A definition from its bytes after the reserved one: architecture, global message
    number, field count, fields, and (with developer fields) their count and fields."""
    endian = ">" if raw[0] else "<"
    (global_number,) = _struct(endian + "H").unpack_from(raw, 1)
    after = 4 + 3 * raw[3]
    fields = raw[4:after]
    numbers, sizes, bases = fields[0::3], fields[1::3], fields[2::3]
    size = sum(sizes)
    if developer:
        size += sum(raw[after + 2 :: 3])

    picked: list[tuple[int, str, str, int | None]] = []
    for number, name in _FIT_WANTED.get(global_number, _FIT_WANTED_ANY):
        index = numbers.find(number)  # the first field of that number
        if index < 0:
            continue
        offset, field_size, base = sum(sizes[:index]), sizes[index], bases[index]
        if name == "speed_distance":
            if base == _FIT_BYTE and field_size == 3:
                picked.append((offset, "3s", name, None))
            continue
        code, invalid = _FIT_BASE.get(base, ("", None))
        if code and _struct("<" + code).size == field_size:  # arrays and odd sizes: not read
            picked.append((offset, code, name, invalid))
    picked.sort()
    fmt, position = endian, 0
    for offset, code, _, _ in picked:
        if offset > position:
            fmt += f"{offset - position}x"
        fmt += code
        position = offset + _struct("<" + code).size
    names = tuple(p[2] for p in picked)
    return _FitDefinition(
        global_number=global_number,
        size=size,
        unpack=_struct(fmt).unpack_from if picked else None,
        names=names,
        invalid=tuple(p[3] for p in picked),
        speed_distance="speed_distance" in names,
        slots=(
            tuple(names.index(n) if n in names else -1 for n in _RECORD_SLOTS)
            if global_number == _FIT_RECORD and "speed_distance" not in names
            else None
        ),
    )


def _accumulate(raw: int, accumulated: int, bits: int) -> int:
    """A rolled-over `bits`-bit counter, continued from the last accumulated value."""
    mask = (1 << bits) - 1
    value = raw + (accumulated & ~mask)
    if raw < (accumulated & mask):
        value += 1 << bits
    return value


def _fit_time(raw: int | float | None) -> datetime | None:
    if not isinstance(raw, int | float) or not raw >= _FIT_DATETIME_MIN:  # (NaN is not)
        return None
    return datetime.fromtimestamp(_FIT_EPOCH_S + raw, UTC)


class _FitSummary:
    """What the messages of a FIT file add up to, message by message."""

    def __init__(self, budget: _Budget):
        self.budget = budget
        self.session: dict[str, object] | None = None
        self.sport: dict[str, object] | None = None
        self.file_type: object = None
        self.time_created: datetime | None = None
        self.first_raw_ts: int | None = None
        self.last_raw_ts: int | None = None
        self.last_distance: float | None = None
        self.hr_total = self.temp_total = 0.0
        self.hr_count = self.temp_count = 0
        self.has_gps = False
        self.records = 0

    def read(self, body: bytes, start: int, end: int) -> None:
        """Read the messages in body[start:end]. Raises _FitCut when a message runs past
        `end`, _FitDamaged when a data message has no definition."""
        definitions: dict[int, _FitDefinition] = {}
        known: dict[tuple[bytes, bool], _FitDefinition] = {}  # definitions worked out, by their bytes
        timestamp = 0  # the last raw timestamp, for compressed-timestamp headers
        accumulated_distance = 0
        tick, charge = self.budget.record, self.budget.charge
        at = start
        while at < end:
            header = body[at]
            tick()
            if header & 0x80:  # compressed timestamp header
                definition = definitions.get((header >> 5) & 0x3)
                offset: int | None = header & 0x1F
            elif header & 0x40:  # definition message
                developer = bool(header & 0x20)
                after = _definition_bytes(body, at, end, developer)
                key = (body[at + 2 : after], developer)
                definition = known.get(key)
                if definition is None:
                    charge(_FIT_NEW_DEFINITION_RECORDS - 1)
                    if len(known) >= 1024:
                        known.clear()
                    definition = known[key] = _definition(*key)
                at = after
                definitions[header & 0x0F] = definition
                if definition.speed_distance:
                    accumulated_distance = 0
                continue
            else:
                definition = definitions.get(header & 0x0F)
                offset = None
            if definition is None:
                raise _FitDamaged
            data_at = at + 1
            at = data_at + definition.size
            if at > end:
                raise _FitCut
            if definition.unpack is None:
                if offset is not None:
                    timestamp = _accumulate(offset, timestamp, 5)
                continue
            raw_values = definition.unpack(body, data_at)
            if definition.slots is not None:  # a record: the hot path
                explicit = self._record(definition, raw_values, offset, timestamp)
                if explicit is not None:
                    timestamp = explicit
                if offset is not None:
                    timestamp = _accumulate(offset, timestamp, 5)
                continue
            values: dict[str, object] = {}
            for name, invalid, raw in zip(definition.names, definition.invalid, raw_values, strict=True):
                if name == "speed_distance":
                    if raw != b"\xff\xff\xff":
                        packed = int.from_bytes(raw, "little")
                        accumulated_distance = _accumulate(packed >> 12, accumulated_distance, 12)
                        values["speed_distance"] = accumulated_distance / 16
                    continue
                if raw == invalid or raw != raw:  # invalid, or NaN
                    continue
                if name == "timestamp":
                    timestamp = raw
                values[name] = raw
            # As fitdecode: a compressed header's time counts from the message's own
            # timestamp when it has one (it should not), else from the last one.
            if offset is not None:
                timestamp = _accumulate(offset, timestamp, 5)
                values.setdefault("timestamp", timestamp)
            if definition.global_number == _FIT_RECORD:
                self._record_values(values)
            else:
                self._message(definition.global_number, values)

    def _record(self, definition: _FitDefinition, raw: tuple, offset: int | None, last: int) -> object:
        """A record, straight from its unpacked values (the hot path: no dict, no conversion
        per record). Returns its own timestamp, raw, or None."""
        invalid = definition.invalid
        values: list[object] = [None] * 6
        for slot, index in enumerate(definition.slots):
            if index >= 0:
                value = raw[index]
                if value != invalid[index] and value == value:  # neither invalid nor NaN
                    values[slot] = value
        explicit = values[0]
        if offset is not None:
            values[0] = _accumulate(offset, last if explicit is None else explicit, 5)
            if explicit is not None:
                values[0] = explicit
        self._add_record(*values)
        return explicit

    def _record_values(self, values: dict[str, object]) -> None:
        """A record read the general way (it carries compressed speed and distance)."""
        distance = values.get("distance")
        if distance is None and (metres := values.get("speed_distance")) is not None:
            distance = metres * _FIT_SCALES["distance"]
        self._add_record(
            values.get("timestamp"),
            values.get("heart_rate"),
            values.get("temperature"),
            distance,
            values.get("position_lat"),
            values.get("position_long"),
        )

    def _add_record(self, when, heart, temperature, distance, lat, lon) -> None:
        """One record's raw values (distance in 1/100 m), None where the record has none."""
        self.records += 1
        if when is not None and when >= _FIT_DATETIME_MIN:
            if self.first_raw_ts is None:
                self.first_raw_ts = when
            self.last_raw_ts = when
        if heart is not None and heart > 0 and heart != math.inf:
            self.hr_total += heart
            self.hr_count += 1
        if temperature is not None and abs(temperature) != math.inf:
            self.temp_total += temperature
            self.temp_count += 1
        if distance is not None and abs(distance) != math.inf:
            self.last_distance = distance / _FIT_SCALES["distance"]
        if not self.has_gps and lat is not None and lon is not None and (lat, lon) != (0, 0):
            self.has_gps = True

    def _message(self, number: int, raw: dict[str, object]) -> None:
        values = {}
        for name, value in raw.items():
            if name in _FIT_TIMES:
                value = _fit_time(value)
            elif name in _FIT_SCALES:
                value = value / _FIT_SCALES[name]
            elif name in _FIT_ENUMS:
                value = _FIT_ENUMS[name].get(value, value)
            values[name] = value
        if number == _FIT_SESSION and self.session is None:
            self.session = values
        elif number == _FIT_FILE_ID and self.file_type is None:
            self.file_type = values.get("type")
            self.time_created = values.get("time_created")
        elif number == _FIT_SPORT and self.sport is None:
            self.sport = values

    @property
    def first_ts(self) -> datetime | None:
        return _fit_time(self.first_raw_ts)

    @property
    def last_ts(self) -> datetime | None:
        return _fit_time(self.last_raw_ts)


# The FIT checksum is CRC-16/ARC (reflected polynomial 0xA001, starting at 0). A table of
# 65,536 entries takes two bytes a step: 25 MB in about a second.
@functools.cache
def _crc_tables() -> tuple[list[int], list[int]]:
    byte_table = []
    for value in range(256):
        for _ in range(8):
            value = (value >> 1) ^ 0xA001 if value & 1 else value >> 1
        byte_table.append(value)
    word_table = []
    for value in range(65536):
        step = (value >> 8) ^ byte_table[value & 0xFF]
        word_table.append((step >> 8) ^ byte_table[step & 0xFF])
    return byte_table, word_table


def fit_crc(data: bytes, budget: _Budget | None = None) -> int:
    """The FIT checksum of `data`, looking at the budget's clock every megabyte."""
    byte_table, word_table = _crc_tables()
    crc = 0
    view = memoryview(data)
    even = len(view) & ~1
    step = 1 << 20
    for start in range(0, even, step):
        words = view[start : min(start + step, even)].cast("H")
        if sys.byteorder == "big":  # pragma: no cover - the words are little-endian pairs
            words = [((w & 0xFF) << 8) | (w >> 8) for w in words]
        for word in words:
            crc = word_table[crc ^ word]
        if budget is not None:
            budget.check_time()
    if len(view) & 1:
        crc = (crc >> 8) ^ byte_table[(crc ^ view[-1]) & 0xFF]
    return crc


def _parse_fit(filename: str, data: bytes, budget: _Budget) -> Activity:
    summary = _FitSummary(budget)
    cut_short = False
    at, size, files = 0, len(data), 0
    while at < size:
        if files and (size - at < 12 or data[at + 8 : at + 12] != b".FIT"):
            break  # bytes after a whole FIT file that start no other: ignored
        header_size = data[at]
        if size - at < max(12, header_size if header_size >= 14 else 12):
            cut_short = True
            break
        if header_size < 12 or header_size == 13 or data[at + 8 : at + 12] != b".FIT":
            raise ImportRefused(filename, FIT_HEADER_DAMAGED)
        (data_size,) = struct.unpack_from("<I", data, at + 4)
        if header_size >= 14:
            (header_crc,) = struct.unpack_from("<H", data, at + 12)
            if header_crc and fit_crc(data[at : at + 12]) != header_crc:
                raise ImportRefused(filename, BAD_CRC)
        body_start = at + header_size
        body_end = body_start + data_size
        whole = data_size > 0 and body_end + 2 <= size
        if not whole:  # cut short, or a length of 0 (never written): read what is there
            body_end = size
        # The messages first, within the budget, so that a file of too many is refused
        # without reading it twice; then the checksum, which also decides what to say
        # when the messages do not fit together.
        try:
            summary.read(data, body_start, body_end)
        except (_FitCut, _FitDamaged) as exc:
            if whole:
                _check_fit_crc(filename, data, at, body_end, budget)
                raise ImportRefused(filename, FIT_DAMAGED) from exc  # the writer got it wrong
            # the end of a cut file: what came before it is kept
        files += 1
        if not whole:
            cut_short = True
            break
        _check_fit_crc(filename, data, at, body_end, budget)
        at = body_end + 2
    return _fit_activity(filename, summary, cut_short)


def _check_fit_crc(filename: str, data: bytes, start: int, end: int, budget: _Budget) -> None:
    (expected,) = struct.unpack_from("<H", data, end)
    if fit_crc(memoryview(data)[start:end], budget) != expected:
        raise ImportRefused(filename, BAD_CRC)


def _fit_activity(filename: str, fit: _FitSummary, cut_short: bool) -> Activity:
    file_type = fit.file_type
    if isinstance(file_type, str) and file_type != "activity":
        kind = file_type.replace("_", " ")
        raise ImportRefused(filename, f"a FIT {kind} file, not a recorded activity. {RECORDED}")

    session = fit.session or {}
    started_at = session.get("start_time") or fit.first_ts
    if started_at is None and fit.records:
        started_at = fit.time_created
    if started_at is None:
        if cut_short:
            raise ImportRefused(filename, CUT_SHORT)
        raise ImportRefused(filename, f"the FIT file holds no recorded activity. {RECORDED}")
    span = (fit.last_ts - fit.first_ts).total_seconds() if fit.first_ts and fit.last_ts else None
    elapsed = _positive(session.get("total_elapsed_time")) or _positive(span)
    timer = _positive(session.get("total_timer_time"))
    distance = _positive(session.get("total_distance"))
    if distance is None and session.get("total_distance") is None:
        distance = fit.last_distance  # only when the session says nothing; a session 0 stays 0
    heart = _finite(session.get("avg_heart_rate"))
    temperature = _finite(session.get("avg_temperature"))
    if temperature is None:
        temperature = _mean(fit.temp_total, fit.temp_count)
    source = fit.session if fit.session is not None else fit.sport
    sport = _fit_sport(source.get("sport"), source.get("sub_sport")) if source is not None else None
    return Activity(
        filename=filename,
        sport=sport,
        started_at=started_at,
        distance_km=_km(distance),
        duration_min=_minutes(timer or elapsed),
        elapsed_min=_minutes(elapsed),
        avg_heart_rate_bpm=_bpm(heart if heart else _mean(fit.hr_total, fit.hr_count)),
        avg_temperature_c=round(temperature, 1) if temperature is not None else None,
        has_gps=fit.has_gps,
        source_format="fit",
    )


# --- archives ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _CsvRow:
    name: str | None
    type: str | None


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe_path(name: str) -> bool:
    parts = name.replace("\\", "/")
    return parts.startswith("/") or bool(_DRIVE.match(parts)) or ".." in parts.split("/")


def _is_activity_name(name: str) -> bool:
    lower = name.lower()
    base = lower.rsplit("/", 1)[-1]
    if lower.startswith("__macosx/") or base.startswith("._") or lower.endswith("/"):
        return False
    if lower.endswith(".gz"):
        lower = lower[:-3]
    return lower.endswith(ACTIVITY_SUFFIXES)


NOT_A_ZIP = "not a zip archive (or a damaged one). Zip the files again and upload that"
ZIP_BOMB = "compressed suspiciously well (a possible zip bomb), so it was not unpacked"
ENCRYPTED = "the file is protected by a password. Zip it again without one and upload that"
ODD_COMPRESSION = "compressed in a way that cannot be read. Zip it again and upload that"
DAMAGED_MEMBER = "the file is damaged inside the archive. Zip it again and upload that"
NO_SUCH_MEMBER = "the archive holds no file of that name"
DUPLICATE_MEMBER = "the archive holds another file of the same name, before this one"
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
# A central-directory entry is 46 bytes and its names; even long Strava or folder paths
# keep it far under 1 KB. Checked before zipfile reads the directory, whose every entry it
# turns into an object: 200 MB of tiny entries would be millions of them.
_DIRECTORY_BYTES_PER_MEMBER = 1024


def unpacks_too_large() -> str:
    return f"the archive unpacks to more than {_mb(MAX_UNCOMPRESSED_BYTES)}"


def _too_many_members() -> str:
    return f"the archive holds more than {MAX_ZIP_MEMBERS} files"


def _directory_size(filename: str, fileobj, size: int) -> None:
    """Refuse an archive whose end-of-directory record declares more members, or a larger
    directory, than MAX_ZIP_MEMBERS allows; before zipfile reads the directory. An archive
    without that record is left for zipfile to call damaged."""
    tail_size = min(size, 22 + 0xFFFF + 20)  # the record, its longest comment, the zip64 locator
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return
    members, directory = struct.unpack_from("<HI", tail, at + 10)
    if (
        (members == 0xFFFF or directory == 0xFFFFFFFF)
        and at >= 20
        and tail[at - 20 : at - 16] == b"PK\x06\x07"
    ):
        (record_at,) = struct.unpack_from("<Q", tail, at - 12)  # the zip64 end-of-directory record
        if record_at + 56 <= size:
            fileobj.seek(record_at)
            record = fileobj.read(56)
            if record[:4] == b"PK\x06\x06":
                members, directory = struct.unpack_from("<QQ", record, 32)
    if members > MAX_ZIP_MEMBERS:
        raise ImportRefused(filename, _too_many_members())
    if directory > MAX_ZIP_MEMBERS * _DIRECTORY_BYTES_PER_MEMBER:
        raise ImportRefused(
            filename, f"its list of contents is larger than {MAX_ZIP_MEMBERS} files need: {NOT_A_ZIP}"
        )


class Archive:
    """A checked zip on disk (or any seekable binary file object), read one member at a time.

    The whole archive is checked when it is opened (its size, the number of members, their
    declared total, unsafe paths): ImportRefused(archive name, reason). Then `members()`
    lists the activity files, with Strava's names and types from activities.csv, each
    `refused` already when that needs no reading (compression ratio, declared size); and
    `read(name)` unpacks one, capped and checked: ImportRefused(member name, reason). What
    read() unpacks, activities.csv included, counts towards MAX_UNCOMPRESSED_BYTES across
    the Archive. Use it as a context manager, or close() it; a path given instead of a file
    object is opened and closed here.
    """

    def __init__(self, filename: str, fileobj) -> None:
        self.filename = filename
        self._owned = None
        if isinstance(fileobj, str | os.PathLike):
            fileobj = self._owned = open(fileobj, "rb")  # noqa: SIM115 - closed by close()
        self._fileobj = fileobj
        self._zip: zipfile.ZipFile | None = None
        try:
            self._zip = self._open()
        except BaseException:
            self.close()
            raise
        self._bytes_read = 0
        self._members: list[ArchiveMember] | None = None
        self._first: dict[str, zipfile.ZipInfo] = {}

    def _open(self) -> zipfile.ZipFile:
        filename, fileobj = self.filename, self._fileobj
        try:
            size = fileobj.seek(0, io.SEEK_END)
            fileobj.seek(0)
        except (AttributeError, OSError, ValueError) as exc:
            raise ImportRefused(filename, NOT_A_ZIP) from exc
        if size > MAX_ZIP_BYTES:
            raise ImportRefused(filename, f"the archive is {larger_than(MAX_ZIP_BYTES)}")
        _directory_size(filename, fileobj, size)
        try:
            zf = zipfile.ZipFile(fileobj)
            infos = zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ImportRefused(filename, NOT_A_ZIP) from exc
        if len(infos) > MAX_ZIP_MEMBERS:
            zf.close()
            raise ImportRefused(filename, _too_many_members())
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
            zf.close()
            raise ImportRefused(filename, unpacks_too_large())
        for info in infos:
            if _unsafe_path(info.filename):
                zf.close()
                raise ImportRefused(
                    filename, f"the archive has a file outside its folder ({info.filename[:80]})"
                )
        return zf

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    @property
    def bytes_read(self) -> int:
        """How many bytes read() has unpacked so far."""
        return self._bytes_read

    def members(self) -> list[ArchiveMember]:
        """The activity files, in archive order; data=None (read() them one at a time)."""
        if self._members is None:
            zf = self._opened()
            rows = self._strava_rows()
            members = []
            for info in zf.infolist():
                name = info.filename
                if info.is_dir() or not _is_activity_name(name):
                    continue
                row = _csv_row(rows, name)
                refused = _unreadable(info)
                if name in self._first:
                    refused = DUPLICATE_MEMBER
                else:
                    self._first[name] = info
                members.append(
                    ArchiveMember(
                        name,
                        refused=refused,
                        csv_name=row.name if row else None,
                        csv_type=row.type if row else None,
                    )
                )
            self._members = members
        return list(self._members)

    def read(self, name: str) -> bytes:
        """One member's bytes (the first of that name), capped at MAX_FILE_BYTES and checked."""
        zf = self._opened()
        info = self._first.get(name)
        if info is None:
            try:
                info = zf.getinfo(name)
            except KeyError:
                raise ImportRefused(name, NO_SUCH_MEMBER) from None
            info = next(i for i in zf.infolist() if i.filename == name)  # the first, as members()
        reason = _unreadable(info)
        if reason is None and self._bytes_read + info.file_size > MAX_UNCOMPRESSED_BYTES:
            reason = unpacks_too_large()
        if reason is not None:
            raise ImportRefused(name, reason)
        limit = MAX_FILE_BYTES
        left = MAX_UNCOMPRESSED_BYTES - self._bytes_read
        try:
            with zf.open(info) as stream:
                data = _read_capped(stream, min(limit, left))
        except NotImplementedError as exc:
            raise ImportRefused(name, ODD_COMPRESSION) from exc
        except RuntimeError as exc:  # zipfile's "password required"
            raise ImportRefused(name, ENCRYPTED) from exc
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError) as exc:
            raise ImportRefused(name, DAMAGED_MEMBER) from exc
        self._bytes_read += len(data)
        if len(data) > limit:
            raise ImportRefused(name, larger_than(limit))
        if len(data) > left:
            raise ImportRefused(name, unpacks_too_large())
        return data

    def _opened(self) -> zipfile.ZipFile:
        if self._zip is None:
            raise ValueError("the archive is closed")
        return self._zip

    def _strava_rows(self) -> dict[str, _CsvRow]:
        """activities.csv at the root of a Strava export, keyed by Filename and by Activity ID;
        {} when there is none, or it cannot be read."""
        try:
            self._opened().getinfo("activities.csv")
            data = self.read("activities.csv")
        except (KeyError, ImportRefused):
            return {}
        return _strava_csv_rows(data)


def _unreadable(info: zipfile.ZipInfo) -> str | None:
    """Why a member cannot be read, when its directory entry tells: else None."""
    if info.flag_bits & 0x1:
        return ENCRYPTED
    if info.compress_type not in _ZIP_METHODS:
        return ODD_COMPRESSION
    if info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return ZIP_BOMB
    if info.file_size > MAX_FILE_BYTES:
        return larger_than(MAX_FILE_BYTES)
    return None


_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # all but tab and newline


def _strava_csv_rows(data: bytes) -> dict[str, _CsvRow]:
    """The rows of a Strava activities.csv. Whatever the CSV holds, this never raises:
    * a row the csv module cannot read (a field over its 128 KB limit, which is also where
      an unclosed quote ends up) is left out, and reading goes on at the next line;
    * a row with fewer cells than the header is left out: Strava writes every column, so
      it is one cut short by an unclosed quote, which swallowed the rows after it;
    the activities of rows left out import without a name or type. Control characters
    (a NUL, which no database stores) are dropped from what is kept."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
    rows: dict[str, _CsvRow] = {}
    header = _next_row(reader)
    if not header:
        return rows
    # Strava repeats some headings ("Distance", "Elapsed Time"): take the first of each.
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        columns.setdefault(heading.strip(), index)

    def cell(row: list[str], heading: str) -> str | None:
        index = columns.get(heading)
        if index is None:
            return None
        return _CONTROL_CHARACTERS.sub("", row[index].replace("\r\n", "\n")).strip()[:2000] or None

    while (row := _next_row(reader)) is not None:
        if len(row) < len(header):
            continue
        entry = _CsvRow(name=cell(row, "Activity Name"), type=cell(row, "Activity Type"))
        if filename := cell(row, "Filename"):
            rows[filename.replace("\\", "/").lstrip("/")] = entry
        if activity_id := cell(row, "Activity ID"):
            rows.setdefault(f"id:{activity_id}", entry)
    return rows


def _next_row(reader) -> list[str] | None:
    """The next row the csv module can read; None at the end."""
    while True:
        try:
            return next(reader)
        except StopIteration:
            return None
        except csv.Error:
            continue  # the reader goes on at the next line


def open_archive(filename: str, data: bytes) -> zipfile.ZipFile:
    """Open and check a whole archive held in memory (ImportRefused if it is not safe to
    read). Kept for callers of the old interface: Archive reads one from disk."""
    return Archive(filename, io.BytesIO(data))._opened()


@dataclass(frozen=True)
class ArchiveMember:
    """One activity file of an archive: its name, Strava's name and type for it, and why it
    is refused when it is. Archive.members() leaves data None; read_members() fills it in."""

    name: str
    data: bytes | None = None
    refused: str | None = None  # runner-facing reason when the member could not be read
    csv_name: str | None = None  # Strava's "Activity Name"
    csv_type: str | None = None  # Strava's "Activity Type", as written ("Run", "Trail Run", "Ride")


def read_members(filename: str, data: bytes) -> Iterator[ArchiveMember]:
    """Every activity file in a zip held in memory, in archive order, its bytes read (capped,
    checked) but not parsed. The archive as a whole is checked (and refused with
    ImportRefused) when this is called, before the first member. Kept for callers of the
    old interface: Archive reads one from disk."""
    return _read_all(Archive(filename, io.BytesIO(data)))


def _read_all(archive: Archive) -> Iterator[ArchiveMember]:
    with archive:
        for member in archive.members():
            if member.refused:
                yield member
                continue
            try:
                yield dataclasses.replace(member, data=archive.read(member.name))
            except ImportRefused as refused:
                yield dataclasses.replace(member, refused=refused.reason)


def _csv_row(rows: Mapping[str, _CsvRow], name: str) -> _CsvRow | None:
    if name in rows:
        return rows[name]
    stem = name.rsplit("/", 1)[-1].split(".", 1)[0]
    return rows.get(f"id:{stem}")


# --- duplicates --------------------------------------------------------------------------


def is_duplicate(
    started_at: datetime, existing_starts: Sequence[datetime], window: timedelta = timedelta(minutes=2)
) -> bool:
    """True when one of the runner's runs starts within `window` of `started_at` (inclusive).

    Naive datetimes count as UTC. Pass the starts in any order.
    """
    target = _utc(started_at)
    starts = sorted(_utc(s) for s in existing_starts)
    index = bisect.bisect_left(starts, target - window)
    return index < len(starts) and starts[index] <= target + window
