"""Reading watch files: FIT, GPX and TCX files (optionally gzipped) and zips of them,
including a Strava bulk export. Pure parsing: no database, no Django.

Every failure a runner can cause with a file is an `ImportRefused` carrying a sentence
the page can show as it is; a parser's own exception never escapes `parse_activity`.

Choices, so that one figure means the same thing whatever the format:

* `duration_min` is the *moving* time when the file has one, else the elapsed time:
  FIT `total_timer_time` (pauses excluded), TCX the sum of the laps' `TotalTimeSeconds`,
  GPX gpxpy's `get_duration()` (the sum of segment durations, so the gaps between
  segments and tracks are left out). That is the figure a runner knows as "my time".
* `elapsed_min` is start to finish: FIT `total_elapsed_time`, TCX the later of the lap
  sum and start-to-last-trackpoint, GPX the first to the last timed point.
* `distance_km` is None when the file has no distance or a distance of 0 (an indoor
  ride without a speed sensor): "unknown", never "0 km".
"""

from __future__ import annotations

import bisect
import csv
import gzip
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.etree.ElementTree import Element, ParseError
from xml.parsers.expat import errors as expat_errors

import defusedxml
import defusedxml.ElementTree as safe_etree
import fitdecode
import gpxpy
import gpxpy.gpx

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_BYTES",
    "MAX_ZIP_MEMBERS",
    "RUNNING_SPORTS",
    "Activity",
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

RUNNING_SPORTS = frozenset({"running", "trail_running"})
ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx")
CHUNK = 64 * 1024

# Runner-facing reasons, shared by the tests.
NOT_ACTIVITY = "not a FIT, GPX or TCX file"
EMPTY = "the file is empty"
CUT_SHORT = "the file is cut short (it ends in the middle of a record)"
BAD_CRC = "its checksum does not match: the file is damaged"
XML_CUT_SHORT = "the file is cut short (it ends before the document closes)"
DOCTYPE = "it contains a document type declaration or entities, which are refused for safety"


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
        raise ImportRefused(filename, "the compressed file is cut short") from exc
    except (OSError, zlib.error) as exc:
        raise ImportRefused(filename, "the compressed file is damaged") from exc
    if len(out) > limit:
        raise ImportRefused(filename, f"{larger_than(limit)} once uncompressed")
    return out


# --- the entry point ---------------------------------------------------------------------


def parse_activity(filename: str, data: bytes) -> Activity:
    """Read one FIT, GPX or TCX file (gzipped or not), detected by its content."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(filename, larger_than(MAX_FILE_BYTES))
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(filename, data)
    if not data.strip():
        raise ImportRefused(filename, EMPTY)
    try:
        if len(data) >= 12 and data[8:12] == b".FIT":
            return _parse_fit(filename, data)
        root = _parse_xml(filename, data)
        kind = _local(root.tag)
        if kind == "gpx":
            return _parse_gpx(filename, data)
        if kind == "TrainingCenterDatabase":
            return _parse_tcx(filename, root)
        raise ImportRefused(filename, NOT_ACTIVITY)
    except ImportRefused:
        raise
    except RecursionError as exc:
        raise ImportRefused(filename, "the file is nested too deeply to read") from exc
    except Exception as exc:  # a parser's surprise is a refusal, never a crash
        kind = type(exc).__name__
        if kind == "error":  # struct.error, zlib.error: say which
            kind = f"{type(exc).__module__}.{kind}"
        raise ImportRefused(filename, f"the file could not be read: {kind}") from exc


# --- XML (shared by GPX and TCX) ---------------------------------------------------------

_TRUNCATED_XML = {
    expat_errors.codes[expat_errors.XML_ERROR_NO_ELEMENTS],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_TOKEN],
    expat_errors.codes[expat_errors.XML_ERROR_PARTIAL_CHAR],
    expat_errors.codes[expat_errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
}


def _xml_bytes(data: bytes) -> bytes:
    """Drop a UTF-8 byte-order mark and the whitespace some exporters put before `<?xml`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b" \t\r\n")


def _parse_xml(filename: str, data: bytes) -> Element:
    """Parse safely: no DOCTYPE, no entities, no external references."""
    text = _xml_bytes(data)
    looks_xml = text[:1] == b"<" or text[:2] in (b"\xff\xfe", b"\xfe\xff")
    if not looks_xml:
        raise ImportRefused(filename, NOT_ACTIVITY)
    try:
        return safe_etree.fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise ImportRefused(filename, DOCTYPE) from exc
    except ParseError as exc:
        head = text[:4096]
        if b"<gpx" not in head and b"TrainingCenterDatabase" not in head:
            raise ImportRefused(filename, NOT_ACTIVITY) from exc
        if getattr(exc, "code", None) in _TRUNCATED_XML:
            raise ImportRefused(filename, XML_CUT_SHORT) from exc
        line = getattr(exc, "position", (None,))[0]
        where = f" (line {line})" if line else ""
        raise ImportRefused(filename, f"the file is damaged: it is not well-formed XML{where}") from exc


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _child(element: Element, name: str) -> Element | None:
    return next(_children(element, name), None)


def _child_text(element: Element, name: str) -> str | None:
    child = _child(element, name)
    return child.text.strip() if child is not None and child.text else None


def _float(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return _finite(float(text))
    except ValueError:
        return None


# --- TCX ---------------------------------------------------------------------------------


def _parse_tcx(filename: str, root: Element) -> Activity:
    activity = next((el for el in root.iter() if _local(el.tag) == "Activity"), None)
    if activity is None:
        raise ImportRefused(filename, "the TCX file holds no activity")

    lap_seconds = lap_metres = 0.0
    first_lap_start = None
    for lap in _children(activity, "Lap"):
        lap_seconds += _float(_child_text(lap, "TotalTimeSeconds")) or 0.0
        lap_metres += _float(_child_text(lap, "DistanceMeters")) or 0.0
        first_lap_start = first_lap_start or _parse_time(lap.get("StartTime"))

    hr_total, hr_count = 0.0, 0
    first_point = last_point = None
    max_point_metres = 0.0
    has_gps = False
    for point in activity.iter():
        if _local(point.tag) != "Trackpoint":
            continue
        when = _parse_time(_child_text(point, "Time"))
        if when is not None:
            first_point = first_point or when
            last_point = when
        heart = _child(point, "HeartRateBpm")
        bpm = _float(_child_text(heart, "Value")) if heart is not None else None
        if bpm is not None and bpm > 0:
            hr_total += bpm
            hr_count += 1
        position = _child(point, "Position")
        if position is not None and _child_text(position, "LatitudeDegrees") is not None:
            has_gps = True
        metres = _float(_child_text(point, "DistanceMeters"))
        if metres is not None and metres > max_point_metres:
            max_point_metres = metres

    started_at = _parse_time(_child_text(activity, "Id")) or first_lap_start or first_point
    if started_at is None:
        raise ImportRefused(filename, "the file has no start time")
    span = (last_point - started_at).total_seconds() if last_point else None
    moving = lap_seconds or None
    elapsed = max(s for s in (moving, span, 0.0) if s is not None) or None
    return Activity(
        filename=filename,
        sport=normalise_sport(activity.get("Sport")),
        started_at=started_at,
        distance_km=_km(lap_metres or max_point_metres),
        duration_min=_minutes(moving or elapsed),
        elapsed_min=_minutes(elapsed),
        avg_heart_rate_bpm=_bpm(_mean(hr_total, hr_count)),
        avg_temperature_c=None,
        has_gps=has_gps,
        source_format="tcx",
    )


# --- GPX ---------------------------------------------------------------------------------

_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_HR_TAGS = {"hr", "heartrate"}
_TEMP_TAGS = {"atemp", "temp"}


def _parse_gpx(filename: str, data: bytes) -> Activity:
    raw = _xml_bytes(data)
    declared = _ENCODING.match(raw)
    text = raw.decode(declared.group(1).decode() if declared else "utf-8")
    gpx = gpxpy.parse(text)

    hr_total = temp_total = 0.0
    hr_count = temp_count = points = 0
    for track in gpx.tracks:
        for segment in track.segments:
            for point in segment.points:
                points += 1
                for extension in point.extensions:
                    for element in extension.iter():
                        name = _local(element.tag).lower()
                        if name not in _HR_TAGS and name not in _TEMP_TAGS:
                            continue
                        value = _float(element.text)
                        if value is None:
                            continue
                        if name in _HR_TAGS and value > 0:
                            hr_total += value
                            hr_count += 1
                        elif name in _TEMP_TAGS:
                            temp_total += value
                            temp_count += 1
    if not points:
        raise ImportRefused(filename, "the GPX file has no track points")

    start, end = gpx.get_time_bounds()
    started_at = _utc(start)
    if started_at is None:
        raise ImportRefused(filename, "the GPX track has no times, so the start is unknown")
    elapsed = (_utc(end) - started_at).total_seconds() if end else None
    moving = gpx.get_duration()
    sport = next((normalise_sport(t.type) for t in gpx.tracks if t.type), None)
    temperature = _mean(temp_total, temp_count)
    return Activity(
        filename=filename,
        sport=sport,
        started_at=started_at,
        distance_km=_km(gpx.length_2d()),
        duration_min=_minutes(moving) or _minutes(elapsed),
        elapsed_min=_minutes(elapsed),
        avg_heart_rate_bpm=_bpm(_mean(hr_total, hr_count)),
        avg_temperature_c=round(temperature, 1) if temperature is not None else None,
        has_gps=True,
        source_format="gpx",
    )


# --- FIT ---------------------------------------------------------------------------------


def _fit_value(message, name: str):
    """The first non-empty value of a field (a record may carry 'distance' twice)."""
    for field_data in message.get_fields(name):
        if field_data.value is not None:
            return field_data.value
    return None


def _parse_fit(filename: str, data: bytes) -> Activity:
    session = None
    sport_message = None
    file_type = None
    first_ts = last_ts = None
    last_distance = None
    hr_total = temp_total = 0.0
    hr_count = temp_count = 0
    has_gps = False
    try:
        with fitdecode.FitReader(
            io.BytesIO(data),
            check_crc=fitdecode.CrcCheck.RAISE,
            error_handling=fitdecode.ErrorHandling.RAISE,
        ) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                name = frame.name
                if name == "record":
                    when = _utc(_fit_value(frame, "timestamp"))
                    if when is not None:
                        first_ts = first_ts or when
                        last_ts = when
                    heart = _finite(_fit_value(frame, "heart_rate"))
                    if heart is not None and heart > 0:
                        hr_total += heart
                        hr_count += 1
                    temperature = _finite(_fit_value(frame, "temperature"))
                    if temperature is not None:
                        temp_total += temperature
                        temp_count += 1
                    distance = _finite(_fit_value(frame, "distance"))
                    if distance is not None:
                        last_distance = distance
                    lat, lon = _fit_value(frame, "position_lat"), _fit_value(frame, "position_long")
                    if lat is not None and lon is not None and (lat, lon) != (0, 0):
                        has_gps = True
                elif name == "session" and session is None:
                    session = frame
                elif name == "file_id" and file_type is None:
                    file_type = _fit_value(frame, "type")
                elif name == "sport" and sport_message is None:
                    sport_message = frame
    except fitdecode.FitCRCError as exc:
        raise ImportRefused(filename, BAD_CRC) from exc
    except fitdecode.FitEOFError as exc:
        raise ImportRefused(filename, CUT_SHORT) from exc
    except fitdecode.FitHeaderError as exc:
        raise ImportRefused(filename, "its FIT header is damaged or cut short") from exc
    except fitdecode.FitParseError as exc:
        raise ImportRefused(filename, "the FIT data is damaged and could not be read") from exc

    if isinstance(file_type, str) and file_type != "activity":
        raise ImportRefused(filename, f"a FIT {file_type.replace('_', ' ')} file, not a recorded activity")

    get = (lambda key: _fit_value(session, key)) if session is not None else (lambda key: None)
    started_at = _utc(get("start_time")) or first_ts
    if started_at is None:
        raise ImportRefused(filename, "the FIT file holds no activity (no session and no records)")
    span = (last_ts - first_ts).total_seconds() if first_ts and last_ts else None
    elapsed = _positive(get("total_elapsed_time")) or _positive(span)
    timer = _positive(get("total_timer_time"))
    distance = _positive(get("total_distance"))
    if distance is None and get("total_distance") is None:
        distance = last_distance  # only when the session says nothing; a session 0 stays 0
    heart = _finite(get("avg_heart_rate"))
    temperature = _finite(get("avg_temperature"))
    if temperature is None:
        temperature = _mean(temp_total, temp_count)
    source = session if session is not None else sport_message
    sport = None
    if source is not None:
        sport = _fit_sport(_fit_value(source, "sport"), _fit_value(source, "sub_sport"))
    return Activity(
        filename=filename,
        sport=sport,
        started_at=started_at,
        distance_km=_km(distance),
        duration_min=_minutes(timer or elapsed),
        elapsed_min=_minutes(elapsed),
        avg_heart_rate_bpm=_bpm(heart if heart else _mean(hr_total, hr_count)),
        avg_temperature_c=round(temperature, 1) if temperature is not None else None,
        has_gps=has_gps,
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


def open_archive(filename: str, data: bytes) -> zipfile.ZipFile:
    """Open and check a whole archive; refuse it (ImportRefused) if it is not safe to read."""
    if len(data) > MAX_ZIP_BYTES:
        raise ImportRefused(filename, f"the archive is {larger_than(MAX_ZIP_BYTES)}")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ImportRefused(filename, "not a zip archive (or a damaged one)") from exc
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(filename, f"the archive holds more than {MAX_ZIP_MEMBERS} files")
    if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(filename, unpacks_too_large())
    for info in infos:
        if _unsafe_path(info.filename):
            raise ImportRefused(filename, f"the archive has a file outside its folder ({info.filename[:80]})")
    return zf


def unpacks_too_large() -> str:
    return f"the archive unpacks to more than {_mb(MAX_UNCOMPRESSED_BYTES)}"


@dataclass(frozen=True)
class ArchiveMember:
    """One activity file of an archive, read but not parsed (the import job parses it later)."""

    name: str
    data: bytes | None = None
    refused: str | None = None  # runner-facing reason when the member could not be read
    csv_name: str | None = None  # Strava's "Activity Name"
    csv_type: str | None = None  # Strava's "Activity Type", as written ("Run", "Trail Run", "Ride")


def read_members(filename: str, data: bytes) -> Iterator[ArchiveMember]:
    """Every activity file in a zip, in archive order, its bytes read (capped, checked) but not
    parsed. The archive as a whole is checked (and refused with ImportRefused) when this is
    called, before the first member."""
    return _Archive(open_archive(filename, data)).members()


class _Archive:
    """A checked zip, read member by member: each capped, and the total read capped too
    (the declared sizes, checked by open_archive, may lie)."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.bytes_read = 0

    def members(self) -> Iterator[ArchiveMember]:
        with self.zf:
            rows = self._strava_rows()
            for info in self.zf.infolist():
                if info.is_dir() or not _is_activity_name(info.filename):
                    continue
                row = _csv_row(rows, info.filename)
                csv_info = {"csv_name": row.name, "csv_type": row.type} if row else {}
                data = self._read(info)
                if isinstance(data, str):
                    yield ArchiveMember(info.filename, refused=data, **csv_info)
                else:
                    yield ArchiveMember(info.filename, data=data, **csv_info)

    def _read(self, info: zipfile.ZipInfo) -> bytes | str:
        """The member's bytes, or a refusal reason."""
        limit = MAX_FILE_BYTES
        if info.file_size > MAX_RATIO * max(info.compress_size, 1):
            return "compressed suspiciously well (a possible zip bomb)"
        if info.file_size > limit:
            return larger_than(limit)
        if self.bytes_read + info.file_size > MAX_UNCOMPRESSED_BYTES:
            return unpacks_too_large()
        try:
            with self.zf.open(info) as stream:
                data = _read_capped(stream, limit)
        except NotImplementedError:
            return "compressed in a way that cannot be read"
        except RuntimeError:
            return "the file is encrypted"
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error, ValueError):
            return "the file is damaged inside the archive"
        self.bytes_read += len(data)
        if len(data) > limit:
            return larger_than(limit)
        return data

    def _strava_rows(self) -> dict[str, _CsvRow]:
        """activities.csv at the root of a Strava export, keyed by Filename and by Activity ID."""
        rows: dict[str, _CsvRow] = {}
        try:
            info = self.zf.getinfo("activities.csv")
        except KeyError:
            return rows
        data = self._read(info)
        if isinstance(data, str):
            return rows
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig", errors="replace"), newline=""))
        header = next(reader, None)
        if not header:
            return rows
        # Strava repeats some headings ("Distance", "Elapsed Time"): take the first of each.
        columns: dict[str, int] = {}
        for index, heading in enumerate(header):
            columns.setdefault(heading.strip(), index)

        def cell(row: list[str], heading: str) -> str | None:
            index = columns.get(heading)
            if index is None or index >= len(row):
                return None
            return row[index].strip() or None

        for row in reader:
            entry = _CsvRow(name=cell(row, "Activity Name"), type=cell(row, "Activity Type"))
            if filename := cell(row, "Filename"):
                rows[filename.replace("\\", "/").lstrip("/")] = entry
            if activity_id := cell(row, "Activity ID"):
                rows.setdefault(f"id:{activity_id}", entry)
        return rows


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


class Archive:  # TEMPORARY until files13 lands: a zip on disk, one member at a time
    def __init__(self, filename: str, fileobj) -> None:
        self.filename = filename
        try:
            self.zf = zipfile.ZipFile(fileobj)
            infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise ImportRefused(filename, "not a zip archive (or a damaged one)") from exc
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ImportRefused(filename, f"the archive holds more than {MAX_ZIP_MEMBERS} files")
        self.reader = _Archive(self.zf)

    def members(self) -> list[ArchiveMember]:
        rows = self.reader._strava_rows()
        out = []
        for info in self.zf.infolist():
            if info.is_dir() or not _is_activity_name(info.filename):
                continue
            row = _csv_row(rows, info.filename)
            out.append(ArchiveMember(info.filename, csv_name=row and row.name, csv_type=row and row.type))
        return out

    def read(self, name: str) -> bytes:
        data = self.reader._read(self.zf.getinfo(name))
        if isinstance(data, str):
            raise ImportRefused(name, data)
        return data

    def close(self) -> None:
        self.zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
