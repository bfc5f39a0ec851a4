"""Activity files for the soak, the import benchmark and the isolation test, made at run time.

Nothing here is committed data: real-sized files are the real samples in
`../shared/samples` (never copied into the project) with their times moved, so that
each copy is a distinct run; small ones come from tests/helpers.py. Also the hostile
cases: a gzipped FIT "bomb" of millions of tiny records, and a zip whose members each
compress just under the importer's ratio guard.

    shift_fit(data, seconds)        every absolute time in a FIT file moved (CRCs redone)
    shift_gpx(data, seconds)        every <time> in a GPX file moved
    strava_export(count, samples)   a Strava-export-like zip: activities/*.fit.gz, .gpx, ...
    fit_bomb(records)               a FIT file of `records` one-byte data messages
    ratio_zip(members, size, ratio) a zip of FIT bombs each compressed about `ratio`:1
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT.parent / "shared" / "samples"
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)

# --- FIT ---------------------------------------------------------------------------

_CRC_TABLE = []
for _byte in range(256):
    _crc = _byte
    for _ in range(8):
        _crc = (_crc >> 1) ^ 0xA001 if _crc & 1 else _crc >> 1
    _CRC_TABLE.append(_crc)


def fit_crc(data: bytes | memoryview, crc: int = 0) -> int:
    """The FIT CRC-16 (CRC-16/ARC) of `data`."""
    table = _CRC_TABLE
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


# (global message number, field number) of absolute date_time fields besides 253 (timestamp):
# file_id.time_created, session/lap/length/segment_lap.start_time, activity.local_timestamp.
_TIME_FIELDS = {(0, 4), (18, 2), (19, 2), (34, 5), (101, 2), (142, 2)}
_TIMESTAMP = 253
_MIN_ABSOLUTE = 0x10000000  # below this a FIT time is relative to the device's power-on


def shift_fit(data: bytes, seconds: int) -> bytes:
    """The FIT file with every absolute time moved by `seconds` (rounded to a multiple of 32,
    so compressed-timestamp headers still count from the same low bits), CRCs redone.
    Chained FIT files are handled; a malformed file raises ValueError."""
    seconds -= seconds % 32
    out = bytearray(data)
    offset = 0
    while offset < len(out):
        offset = _shift_one(out, offset, seconds)
    return bytes(out)


def _shift_one(out: bytearray, start: int, seconds: int) -> int:
    header_size = out[start]
    if header_size not in (12, 14) or out[start + 8 : start + 12] != b".FIT":
        raise ValueError("not a FIT header")
    (data_size,) = struct.unpack_from("<I", out, start + 4)
    pos, end = start + header_size, start + header_size + data_size
    definitions: dict[int, tuple[str, list[tuple[int, int, bool]], int]] = {}
    while pos < end:
        head = out[pos]
        pos += 1
        if head & 0x80:  # compressed timestamp header: a data message
            local = (head >> 5) & 0x3
        else:
            local = head & 0x0F
            if head & 0x40:  # a definition message
                big = out[pos + 1] == 1
                order = ">" if big else "<"
                (number,) = struct.unpack_from(order + "H", out, pos + 2)
                count = out[pos + 4]
                pos += 5
                fields = []
                for _ in range(count):
                    field, size = out[pos], out[pos + 1]
                    shift = size == 4 and (field == _TIMESTAMP or (number, field) in _TIME_FIELDS)
                    fields.append((field, size, shift))
                    pos += 3
                developer = 0
                if head & 0x20:
                    dev_count = out[pos]
                    pos += 1
                    developer = sum(out[pos + 3 * i + 1] for i in range(dev_count))
                    pos += 3 * dev_count
                definitions[local] = (order, fields, developer)
                continue
        if local not in definitions:
            raise ValueError(f"data message of undefined local type {local}")
        order, fields, developer = definitions[local]
        for _field, size, shift in fields:
            if shift:
                (value,) = struct.unpack_from(order + "I", out, pos)
                if _MIN_ABSOLUTE <= value < 0xFFFFFFFF:
                    struct.pack_into(order + "I", out, pos, (value + seconds) & 0xFFFFFFFF)
            pos += size
        pos += developer
    if pos != end:
        raise ValueError("FIT data does not end where its header says")
    struct.pack_into("<H", out, end, fit_crc(memoryview(out)[start:end]))
    return end + 2


def fit_file(body: bytes) -> bytes:
    """A FIT file around `body` (definition and data messages): header, CRCs."""
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", fit_crc(header))
    data = header + body
    return data + struct.pack("<H", fit_crc(data))


def fit_bomb(records: int, *, noise: float = 0.0, seed: int = 0) -> bytes:
    """A FIT activity of `records` data messages of one byte each (a record definition with
    no fields), which a reader takes one by one: a few MB that cost millions of frames.
    With `noise`, that share of the messages carry a heart rate (two bytes, random), so
    the file compresses less well (see ratio_zip)."""
    file_id = bytes([0x40, 0, 0]) + struct.pack("<H", 0) + bytes([1, 0, 1, 0x00]) + bytes([0x00, 4])
    empty = bytes([0x41, 0, 0]) + struct.pack("<H", 20) + bytes([0])  # local 1: a record, no fields
    hr = bytes([0x42, 0, 0]) + struct.pack("<H", 20) + bytes([1, 3, 1, 0x02])  # local 2: heart rate
    if not noise:
        body = file_id + empty + hr + b"\x01" * records
    else:
        rng = random.Random(seed)
        parts = []
        for _ in range(records):
            parts.append(bytes([0x02, rng.randrange(60, 200)]) if rng.random() < noise else b"\x01")
        body = file_id + empty + hr + b"".join(parts)
    return fit_file(body)


def fit_start(data: bytes) -> dt.datetime | None:
    """The start of a FIT activity (its session's start_time), read with fitdecode."""
    import fitdecode

    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "session":
                value = frame.get_value("start_time", fallback=None)
                return value.replace(tzinfo=dt.UTC) if value and value.tzinfo is None else value
    return None


# --- GPX ---------------------------------------------------------------------------

_GPX_TIME = re.compile(rb"<time>([0-9T:.+-]+Z?)</time>")


def shift_gpx(data: bytes, seconds: int) -> bytes:
    """The GPX file with every <time> moved by `seconds` (written back as UTC, ...Z)."""
    delta = dt.timedelta(seconds=seconds)

    def moved(match: re.Match) -> bytes:
        text = match.group(1).decode()
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00")) + delta
        return b"<time>" + when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode() + b"</time>"

    return _GPX_TIME.sub(moved, data)


def gpx_from_fit(data: bytes, *, sport: str = "running") -> bytes:
    """A GPX track as Garmin Connect writes one (a point a second, heart rate and cadence in
    gpxtpx extensions) from a FIT activity's records: a real-sized GPX file."""
    import fitdecode

    semicircle = 180 / 2**31
    rows = []
    with fitdecode.FitReader(io.BytesIO(data)) as reader:
        for frame in reader:
            if frame.frame_type != fitdecode.FIT_FRAME_DATA or frame.name != "record":
                continue
            lat = frame.get_value("position_lat", fallback=None)
            lon = frame.get_value("position_long", fallback=None)
            when = frame.get_value("timestamp", fallback=None)
            if lat is None or lon is None or when is None:
                continue
            ext = ""
            hr = frame.get_value("heart_rate", fallback=None)
            cad = frame.get_value("cadence", fallback=None)
            if hr is not None or cad is not None:
                ext = (
                    "<extensions><ns3:TrackPointExtension>"
                    + (f"<ns3:hr>{hr}</ns3:hr>" if hr is not None else "")
                    + (f"<ns3:cad>{cad}</ns3:cad>" if cad is not None else "")
                    + "</ns3:TrackPointExtension></extensions>"
                )
            ele = frame.get_value("enhanced_altitude", fallback=None) or frame.get_value(
                "altitude", fallback=0
            )
            rows.append(
                f'<trkpt lat="{lat * semicircle:.7f}" lon="{lon * semicircle:.7f}"><ele>{ele or 0:.1f}</ele>'
                f"<time>{when:%Y-%m-%dT%H:%M:%S}.000Z</time>{ext}</trkpt>"
            )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<gpx creator="Garmin Connect" version="1.1" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"  <trk><name>Morning Run</name><type>{sport}</type><trkseg>\n    "
        + "\n    ".join(rows)
        + "\n  </trkseg></trk>\n</gpx>\n"
    ).encode()


# --- a Strava export -----------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    name: str  # a sample's file name
    suffix: str  # ".fit.gz", ".fit", ".gpx", ".gpx.gz" as the export names it
    kind: str  # Strava's Activity Type
    weight: int  # out of the mix


# Strava writes what was uploaded: mostly gzipped FIT from watches, some GPX, some rides.
MIX = (
    Template("fit-coros-apexpro-run.fit", ".fit.gz", "Run", 35),
    Template("fit-suunto9baro-trail-run-with-temperature.fit", ".fit.gz", "Trail Run", 25),
    Template("fit-garmin-fr910xt-run.fit", ".fit", "Run", 10),
    Template("fit-garmin-edge800-indoor-ride-no-gps.fit", ".fit.gz", "Ride", 10),
    Template("gpx:fit-coros-apexpro-run.fit", ".gpx", "Run", 10),
    Template("gpx:fit-suunto9baro-trail-run-with-temperature.fit", ".gpx.gz", "Run", 10),
)


def samples_here(samples: Path = SAMPLES) -> str | None:
    """None when the samples needed are there, else why not."""
    missing = [
        t.name.removeprefix("gpx:") for t in MIX if not (samples / t.name.removeprefix("gpx:")).exists()
    ]
    return f"samples missing in {samples}: {', '.join(sorted(set(missing)))}" if missing else None


def sample_starts(samples: Path = SAMPLES) -> dict[str, dt.datetime]:
    return {t.name: fit_start((samples / t.name.removeprefix("gpx:")).read_bytes()) for t in MIX}


@dataclass
class Export:
    zip_bytes: bytes
    members: dict[str, bytes]  # activity files as stored in the zip (gzipped where named .gz)
    kinds: dict[str, str]  # member -> Strava's Activity Type
    runs: int  # members that are runs (the rest are rides)


def strava_export(count: int, *, first: dt.datetime, samples: Path = SAMPLES, seed: int = 13) -> Export:
    """`count` activities, a day apart from `first` on, as a Strava bulk export: activities/<id>.<suffix>
    beside activities.csv. Each is a real sample with its times moved (a distinct run)."""
    rng = random.Random(seed)
    templates: dict[str, bytes] = {}
    starts: dict[str, dt.datetime] = {}
    for template in MIX:
        source = (samples / template.name.removeprefix("gpx:")).read_bytes()
        starts[template.name] = fit_start(source)
        templates[template.name] = gpx_from_fit(source) if template.name.startswith("gpx:") else source
    names = [t for t in MIX for _ in range(t.weight)]
    members: dict[str, bytes] = {}
    kinds: dict[str, str] = {}
    rows = []
    runs = 0
    for index in range(count):
        template = rng.choice(names)
        # A day apart, at a time of day that drifts (multiple of 32 s for FIT's compressed times).
        start = first + dt.timedelta(days=index, seconds=32 * rng.randrange(0, 1000))
        seconds = int((start - starts[template.name]).total_seconds())
        seconds -= seconds % 32
        body = templates[template.name]
        data = shift_gpx(body, seconds) if template.suffix.startswith(".gpx") else shift_fit(body, seconds)
        if template.suffix.endswith(".gz"):
            data = gzip.compress(data, compresslevel=6, mtime=0)
        activity_id = 4_000_000_000 + index
        member = f"activities/{activity_id}{template.suffix}"
        members[member] = data
        kinds[member] = template.kind
        runs += template.kind in {"Run", "Trail Run"}
        rows.append(
            {
                "Activity ID": str(activity_id),
                "Activity Date": start.strftime("%b %d, %Y, %I:%M:%S %p"),
                "Activity Name": f"{template.kind} {index}",
                "Activity Type": template.kind,
                "Filename": member,
            }
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("activities.csv", _csv(rows))
        for member, data in members.items():
            # Strava stores the already-gzipped files without compressing them again.
            stored = member.endswith(".gz")
            archive.writestr(
                member, data, compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            )
    return Export(buffer.getvalue(), members, kinds, runs)


def _csv(rows: list[dict[str, str]]) -> str:
    headings = ["Activity ID", "Activity Date", "Activity Name", "Activity Type", "Filename"]
    out = io.StringIO()
    writer = csv.DictWriter(out, headings)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def plain(member: str, data: bytes) -> bytes:
    """A member's bytes as a parser takes them (gunzipped if named .gz)."""
    return gzip.decompress(data) if member.endswith(".gz") else data


# --- hostile archives -----------------------------------------------------------------


def ratio_zip(members: int, size: int, ratio: float, *, seed: int = 0) -> tuple[bytes, float]:
    """A zip of `members` FIT bombs of about `size` bytes, each deflated to just under
    `ratio`:1 (the share of noisy records is tuned on a smaller file until it is); returns
    the zip and the ratio reached by its members."""

    def reached(member: bytes) -> float:
        return len(member) / len(zlib.compress(member, 6))

    sample = min(size, 200_000)
    low, high = 0.0, 0.2
    for _ in range(30):  # bisect the share of noisy records for the ratio
        noise = (low + high) / 2
        got = reached(fit_bomb(sample, noise=noise, seed=seed))
        if got >= ratio:
            low = noise  # too compressible: more noise
        elif got < ratio * 0.98:
            high = noise
        else:
            break
    member = fit_bomb(size, noise=noise, seed=seed)
    while reached(member) >= ratio:  # the whole file compresses a little better than the sample
        noise *= 1.02
        member = fit_bomb(size, noise=noise, seed=seed)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for index in range(members):
            archive.writestr(f"activities/{index}.fit", member)
    return buffer.getvalue(), reached(member)
