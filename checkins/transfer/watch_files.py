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
either. FIT files are read by fitdecode, message by message. GPX and TCX are read element
by element straight from the standard library's expat parser, without building a tree, so
that memory stays near the file's own size; the GPX figures are gpxpy's, by its own
functions (gpxpy.geo.distance between points, a segment's get_duration), and the tests
compare them with gpxpy's reading of the whole document.
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
import time
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.parsers import expat
from xml.parsers.expat import errors as expat_errors

import defusedxml
import fitdecode
import gpxpy.geo
import gpxpy.gpx
from fitdecode import utils as fit_utils
from fitdecode.processors import FIT_DATETIME_MIN, FIT_UTC_REFERENCE

__all__ = [
    "DUPLICATE_WINDOW",
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
# second has about 300,000 records, so up to ~600,000 messages. 700,000 (every FIT message
# counts one, definitions included) is 8.1 days at one message a second, or about 4 days
# at two. The same number caps a GPX or TCX file's track points, which the 25 MB byte cap
# keeps far lower anyway (a bare GPX point is about 70 bytes: ~370,000 points), and twice
# it (and a thousand spare) caps their XML elements: 25 MB of real TCX or GPX is at most
# ~1,000,000 elements (a TCX trackpoint has up to ~15 in ~400 bytes), while 25 MB of empty
# elements would be 6.5 million. Past the budget a file is refused, never read on.
MAX_RECORDS = 700_000
# The time budget, measured with time.monotonic from the start of parse_activity. fitdecode
# reads a real file's message in about 50 microseconds of CPU time, and up to 114 of wall
# time measured on a busy machine (more fields, more time), so the 300,000-record ultra
# above, at 1 to 2 messages a second, takes up to some 35 to 70 s: 75 s lets it through, and
# stays under the worker's 90 s job lease (LEASE in checkins/transfer/import_jobs.py), so that
# no parse outlives its lease. The hostile files within the caps are refused sooner (see
# test_worst_files_stay_within_memory: 6 to 37 s).
MAX_PARSE_SECONDS = 75.0
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

    `record()` is called once per GPX or TCX track point, `element()` once per XML element,
    `message()` once per FIT message; past a limit they raise ImportRefused. The clock is
    looked at every 256 records or elements (each costs microseconds), and at every FIT
    message (one can take fitdecode tens of milliseconds: a 65 KB message of 255 fields;
    a look at the clock costs well under a microsecond), so the deadline holds to well
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

    def message(self) -> None:
        self.records += 1
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
# Figures as gpxpy gives them, by its own functions (the tests compare): the distance is the
# sum over segments of gpxpy.geo.distance between consecutive points without elevation (as
# gpxpy's length_2d); the duration is the sum of the segments' gpxpy get_duration (its last
# minus its first timed point), a segment standing in by its first two and last two points,
# all that get_duration reads; the start and end are the first and last timed points. Heart
# rate and temperature: every hr/heartrate and atemp/temp element in a point's extensions,
# whatever its prefix.

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
        self.before: tuple[float, float] | None = None  # the last point's position

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
                self.length += gpxpy.geo.distance(self.lat, self.lon, None, *self.before, None)
            self.before = (self.lat, self.lon)

    def _end_segment(self) -> None:
        self.segment = False
        if self.duration is None:
            return  # as gpxpy: a segment without times left the whole unknown
        kept = min(self.count, 2)
        ends = self.times[:kept] + self.times[4 - kept :]
        segment = gpxpy.gpx.GPXTrackSegment([gpxpy.gpx.GPXTrackPoint(time=when) for when in ends])
        duration = segment.get_duration()
        self.duration = None if duration is None else self.duration + duration

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
# Read by fitdecode's FitReader, frame by frame, each definition and data message counted
# against the budget and the clock looked at every message. Its options, for speed: no data
# processor (the few times we keep are converted here, by fitdecode's own constants),
# no raw chunks kept, and the checksum not computed as it reads (a call per field) but once
# over each whole FIT file afterwards, by fitdecode's compute_crc, in slices between which
# the clock is looked at: together a third less time than its defaults (47 instead of 70
# microseconds of CPU time a message, over the samples). Odd field sizes, which some
# watches write, are read as bytes (ErrorHandling.IGNORE) rather than refused.
#
# Damage, decided:
# * Cut short (the file ends before its declared length: the watch's battery died, or
#   it crashed; fitdecode raises FitEOFError at the cut): the messages before the cut are
#   kept, and the activity is computed from them (the session when it was written before
#   the cut, else the records). Only a file cut before anything was recorded is refused.
# * A whole file whose checksum does not match: refused. Its bytes were changed after the
#   watch wrote them (a bad copy, a failing card, a tool that edits the file), and the
#   damage could be in a time or a distance as easily as anywhere; a runner has the
#   intact file in the watch's app. A cut file has no checksum to compare: nothing says
#   its bytes were changed, only that the end is missing.
# * A header whose data length is 0 (never written, as by a watch that died): read to the
#   end of the file, as one cut short.
# * A whole file, checksum right, whose messages fitdecode cannot read (a data message
#   with no definition): refused as damaged; in a file cut short, that is where the cut
#   is. Bytes after a whole FIT file that start no other are ignored.

_FIT_TIMES = frozenset({"timestamp", "start_time", "time_created"})
_FIT_RECORD = frozenset(
    {"timestamp", "heart_rate", "temperature", "distance", "position_lat", "position_long"}
)
_FIT_CRC_SLICE = 1 << 20  # the clock is looked at between slices: about half a second each


def _fit_time(raw: object) -> datetime | None:
    """A FIT date_time (seconds since 1989-12-31); None for one counted from power-on."""
    if isinstance(raw, int | float) and raw >= FIT_DATETIME_MIN:  # (NaN is not)
        return datetime.fromtimestamp(FIT_UTC_REFERENCE + raw, UTC)
    return None


def _fit_values(message, wanted: frozenset[str] | None = None) -> dict[str, object]:
    """The first non-empty value of each field of a message, by name, as fitdecode's
    get_value would give it (a record may carry 'distance' twice: its own, and one from
    an old foot pod's compressed speed and distance)."""
    values: dict[str, object] = {}
    for field in message.fields:
        if field.value is not None and (wanted is None or field.name in wanted):
            values.setdefault(field.name, field.value)
    return values


class _FitSummary:
    """What the data messages of a FIT file add up to, message by message."""

    def __init__(self):
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

    def add(self, message) -> None:
        name = message.name
        if name == "record":
            self._record(_fit_values(message, _FIT_RECORD))
            return
        if name not in ("session", "file_id", "sport"):
            return
        values = _fit_values(message)
        for key in _FIT_TIMES.intersection(values):
            values[key] = _fit_time(values[key])
        if name == "session" and self.session is None:
            self.session = values
        elif name == "file_id" and self.file_type is None:
            self.file_type = values.get("type")
            self.time_created = values.get("time_created")
        elif name == "sport" and self.sport is None:
            self.sport = values

    def _record(self, values: dict[str, object]) -> None:
        self.records += 1
        when = values.get("timestamp")
        if _fit_time(when) is not None:
            if self.first_raw_ts is None:
                self.first_raw_ts = when
            self.last_raw_ts = when
        heart = _finite(values.get("heart_rate"))
        if heart is not None and heart > 0:
            self.hr_total += heart
            self.hr_count += 1
        temperature = _finite(values.get("temperature"))
        if temperature is not None:
            self.temp_total += temperature
            self.temp_count += 1
        distance = _finite(values.get("distance"))
        if distance is not None:
            self.last_distance = distance
        if not self.has_gps:
            lat, lon = values.get("position_lat"), values.get("position_long")
            self.has_gps = lat is not None and lon is not None and (lat, lon) != (0, 0)

    @property
    def first_ts(self) -> datetime | None:
        return _fit_time(self.first_raw_ts)

    @property
    def last_ts(self) -> datetime | None:
        return _fit_time(self.last_raw_ts)


@dataclass
class _FitFile:
    """One FIT file of the data (several may be chained): where it starts, and its header."""

    start: int
    header: fitdecode.FitHeader

    @property
    def end(self) -> int:
        """Where its footer starts: the end of what its checksum covers."""
        return self.start + self.header.header_size + self.header.body_size


def _read_fit(filename: str, data: bytes, budget: _Budget, fit: _FitSummary) -> tuple[list[_FitFile], bool]:
    """Hand every data message of `data` to `fit`, within the budget. Returns the FIT files
    met and whether the last one is cut short; refuses a damaged header, or a whole file
    whose messages fitdecode cannot read."""
    source = data
    if data[4:8] == b"\0\0\0\0":  # a data length never written: read to the end, as cut short
        source = data[:4] + struct.pack("<I", max(len(data) - data[0], 0)) + data[8:]
    reader = fitdecode.FitReader(
        io.BytesIO(source),
        processor=None,
        check_crc=fitdecode.CrcCheck.DISABLED,
        error_handling=fitdecode.ErrorHandling.IGNORE,
        keep_raw_chunks=False,
    )
    frames = iter(reader)
    files: list[_FitFile] = []
    current: _FitFile | None = None  # the file being read, until its footer
    start = 0  # where the next one starts
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            return files, False
        except Exception as exc:  # fitdecode's errors, or its surprise at damaged bytes
            if current is None:  # at a header
                if files:
                    return files, False  # bytes after a whole FIT file that start no other
                if isinstance(exc, fitdecode.FitEOFError):
                    return files, True  # cut within the header
                raise ImportRefused(filename, FIT_HEADER_DAMAGED) from exc
            if current.end + 2 > len(data):
                return files, True  # the cut of a file cut short
            _check_fit_crc(filename, data, current, budget)  # the better diagnosis, when it fails
            raise ImportRefused(filename, FIT_DAMAGED) from exc
        kind = frame.frame_type
        if kind == fitdecode.FIT_FRAME_DATA:
            budget.message()
            fit.add(frame)
        elif kind == fitdecode.FIT_FRAME_DEFINITION:
            budget.message()
        elif kind == fitdecode.FIT_FRAME_HEADER:
            current = _FitFile(start, frame)
            files.append(current)
        elif current is not None:  # its footer
            start, current = current.end + 2, None


def _check_fit_crc(filename: str, data: bytes, file: _FitFile, budget: _Budget) -> None:
    """Refuse a FIT file whose header checksum (when written) or, when it is whole, whose
    file checksum does not match its bytes."""
    start, end = file.start, file.end
    if (
        file.header.crc is not None
        and fit_utils.compute_crc(data, start=start, end=start + 12) != file.header.crc
    ):
        raise ImportRefused(filename, BAD_CRC)
    if end + 2 > len(data):
        return  # cut short: no checksum to compare
    crc = fit_utils.CRC_START
    for at in range(start, end, _FIT_CRC_SLICE):
        crc = fit_utils.compute_crc(data, crc=crc, start=at, end=min(at + _FIT_CRC_SLICE, end))
        budget.check_time()
    if crc != int.from_bytes(data[end : end + 2], "little"):
        raise ImportRefused(filename, BAD_CRC)


def _parse_fit(filename: str, data: bytes, budget: _Budget) -> Activity:
    # The messages first, within the budget, so that a file of too many is refused without
    # reading it twice; then the checksums.
    fit = _FitSummary()
    files, cut_short = _read_fit(filename, data, budget, fit)
    for file in files:
        _check_fit_crc(filename, data, file, budget)
    return _fit_activity(filename, fit, cut_short)


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


DUPLICATE_WINDOW = timedelta(minutes=2)  # a run starting this close to one already stored is that run


def is_duplicate(
    started_at: datetime, existing_starts: Sequence[datetime], window: timedelta = DUPLICATE_WINDOW
) -> bool:
    """True when one of the runner's runs starts within `window` of `started_at` (inclusive).

    Naive datetimes count as UTC. Pass the starts in any order.
    """
    target = _utc(started_at)
    starts = sorted(_utc(s) for s in existing_starts)
    index = bisect.bisect_left(starts, target - window)
    return index < len(starts) and starts[index] <= target + window
