"""Budgets and damage in watch files (checkins.transfer.watch_files): every parse is bounded in
records and in time, a FIT cut short keeps what was recorded, and the FIT reading (fitdecode,
with the module's options) agrees with fitdecode's strict reading. Hostile files are written
here, byte by byte; no database."""

from __future__ import annotations

import codecs
import gzip
import io
import random
import re
import struct
import time
from datetime import timedelta
from pathlib import Path

import fitdecode
import pytest
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.transfer import watch_files as importing
from checkins.transfer.watch_files import Activity, ImportRefused, parse_activity
from tests.helpers import POINTS, START, Point, make_fit, make_gpx, make_tcx

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
FIT_SAMPLES = sorted(p.name for p in SAMPLES.glob("fit-*.fit")) if SAMPLES.is_dir() else []
RUNNER_TEXT_FORBIDDEN = r"[A-Z][a-z]+Error|Exception|_[a-z]+_"


def refusal(data: bytes, filename: str = "upload", **budget) -> str:
    with pytest.raises(ImportRefused) as caught:
        parse_activity(filename, data, **budget)
    assert caught.value.filename == filename
    return caught.value.reason


@pytest.fixture
def budgets(monkeypatch) -> list:
    """Every budget parse_activity makes, to read how many records it let through."""
    made = []

    class Counted(importing._Budget):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(importing, "_Budget", Counted)
    return made


# --- writing FIT files by hand -------------------------------------------------------------

UINT8, SINT8, UINT16, SINT32, UINT32, BYTE = 0x02, 0x01, 0x84, 0x85, 0x86, 0x0D
FIT_EPOCH = 631065600
RECORD_FIELDS = [
    (253, 4, UINT32),
    (5, 4, UINT32),
    (3, 1, UINT8),
    (13, 1, SINT8),
    (0, 4, SINT32),
    (1, 4, SINT32),
]


def definition(local: int, number: int, fields, *, big: bool = False, developer=()) -> bytes:
    out = bytes([0x40 | local | (0x20 if developer else 0), 0, int(big)])
    out += struct.pack(">H" if big else "<H", number) + bytes([len(fields)])
    out += b"".join(bytes(field) for field in fields)
    if developer:
        out += bytes([len(developer)]) + b"".join(bytes(field) for field in developer)
    return out


def data(local: int, payload: bytes = b"") -> bytes:
    return bytes([local]) + payload


def fit_time(seconds: int = 0) -> int:
    return int(START.timestamp()) - FIT_EPOCH + seconds


def record(seconds: int, metres: float, hr: int, temp: int, *, big: bool = False) -> bytes:
    fmt = (">" if big else "<") + "IIBbii"
    return struct.pack(
        fmt, fit_time(seconds), round(metres * 100), hr, temp, 52 * 2**31 // 180, 4 * 2**31 // 180
    )


def crc_tables() -> tuple[list[int], list[int]]:
    """CRC-16/ARC (FIT's checksum) a byte and a 16-bit word at a time."""
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


BYTE_TABLE, WORD_TABLE = crc_tables()


def quick_crc(data: bytes) -> int:
    """FIT's checksum two bytes a step: writing the big files here takes seconds, not minutes
    (fitdecode's compute_crc goes a nibble at a time). Checked against it below."""
    crc = 0
    even = len(data) & ~1
    for word in memoryview(data)[:even].cast("H"):  # little-endian pairs (the test machines are)
        crc = WORD_TABLE[crc ^ word]
    if len(data) & 1:
        crc = (crc >> 8) ^ BYTE_TABLE[(crc ^ data[-1]) & 0xFF]
    return crc


def fit_file(body: bytes, *, data_size: int | None = None, crc: bool = True, fast_crc: bool = False) -> bytes:
    """A FIT file around `body`: a 14-byte header with its checksum, and the file's checksum
    (fitdecode's compute_crc, or for big files quick_crc)."""
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body) if data_size is None else data_size, b".FIT")
    out = header + struct.pack("<H", compute_crc(header)) + body
    if not crc:
        return out
    return out + struct.pack("<H", quick_crc(out) if fast_crc else compute_crc(out))


def file_id(local: int = 0) -> bytes:
    return definition(local, 0, [(0, 1, 0x00), (4, 4, UINT32)]) + data(
        local, struct.pack("<BI", 4, fit_time())
    )


def run_records(count: int, *, local: int = 1) -> bytes:
    body = definition(local, 20, RECORD_FIELDS)
    return body + b"".join(data(local, record(i, i * 3.0, 120 + i % 20, 12)) for i in range(count))


def one_byte_records(count: int) -> bytes:
    """The bomb of the issue: a definition with no fields, then data messages of one byte each."""
    return file_id() + definition(1, 20, []) + b"\x01" * count


# --- the reference: fitdecode's strict reading (checksums and errors raised) ----------------


def reference_activity(name: str, blob: bytes) -> Activity | None:
    """What fitdecode (strict: checksums and errors raised) makes of a whole FIT file, by the
    same rules as the module; None when fitdecode refuses it."""
    session = sport_message = file_type = None
    first = last = last_distance = None
    hr_total = temp_total = 0.0
    hr_count = temp_count = 0
    gps = False

    def value(message, key):
        return next((f.value for f in message.get_fields(key) if f.value is not None), None)

    try:
        with fitdecode.FitReader(
            io.BytesIO(blob), check_crc=fitdecode.CrcCheck.RAISE, error_handling=fitdecode.ErrorHandling.RAISE
        ) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "record":
                    when = value(frame, "timestamp")
                    if hasattr(when, "tzinfo"):
                        first = first or when
                        last = when
                    heart = value(frame, "heart_rate")
                    if isinstance(heart, int | float) and heart > 0:
                        hr_total, hr_count = hr_total + heart, hr_count + 1
                    temp = value(frame, "temperature")
                    if isinstance(temp, int | float):
                        temp_total, temp_count = temp_total + temp, temp_count + 1
                    distance = value(frame, "distance")
                    if isinstance(distance, int | float):
                        last_distance = distance
                    lat, lon = value(frame, "position_lat"), value(frame, "position_long")
                    gps = gps or (lat is not None and lon is not None and (lat, lon) != (0, 0))
                elif frame.name == "session" and session is None:
                    session = frame
                elif frame.name == "file_id" and file_type is None:
                    file_type = value(frame, "type")
                elif frame.name == "sport" and sport_message is None:
                    sport_message = frame
    except Exception:
        return None
    if isinstance(file_type, str) and file_type != "activity":
        return None
    get = (lambda key: value(session, key)) if session is not None else (lambda key: None)
    start = get("start_time") if hasattr(get("start_time"), "tzinfo") else None
    start = start or first
    if start is None:
        return None
    span = (last - first).total_seconds() if first and last else None
    elapsed = importing._positive(get("total_elapsed_time")) or importing._positive(span)
    timer = importing._positive(get("total_timer_time"))
    distance = importing._positive(get("total_distance"))
    if distance is None and get("total_distance") is None:
        distance = last_distance
    heart = importing._finite(get("avg_heart_rate"))
    temperature = importing._finite(get("avg_temperature"))
    if temperature is None:
        temperature = importing._mean(temp_total, temp_count)
    source = session if session is not None else sport_message
    sport = importing._fit_sport(value(source, "sport"), value(source, "sub_sport")) if source else None
    return Activity(
        filename=name,
        sport=sport,
        started_at=start,
        distance_km=importing._km(distance),
        duration_min=importing._minutes(timer or elapsed),
        elapsed_min=importing._minutes(elapsed),
        avg_heart_rate_bpm=importing._bpm(heart if heart else importing._mean(hr_total, hr_count)),
        avg_temperature_c=round(temperature, 1) if temperature is not None else None,
        has_gps=gps,
        source_format="fit",
    )


def budget_of(blob: bytes) -> int:
    """The records a FIT file costs: one for every message fitdecode finds in it, definition
    or data."""
    kinds = (fitdecode.FIT_FRAME_DATA, fitdecode.FIT_FRAME_DEFINITION)
    with fitdecode.FitReader(io.BytesIO(blob), check_crc=fitdecode.CrcCheck.READONLY) as reader:
        return sum(frame.frame_type in kinds for frame in reader)


# --- the reading agrees with fitdecode's strict reading ------------------------------------------


def test_the_tests_quick_checksum_is_fitdecodes():
    rng = random.Random(3)
    for size in (1, 2, 3, 13, 4096, 4097):
        blob = rng.randbytes(size)
        assert quick_crc(blob) == compute_crc(blob), size
    assert quick_crc(b"") == 0


@pytest.mark.parametrize("name", FIT_SAMPLES)
def test_every_whole_fit_sample_reads_as_fitdecode_reads_it(samples_dir, name):
    blob = (samples_dir / name).read_bytes()
    expected = reference_activity(name, blob)
    if expected is None:  # the bad-checksum and the cut-short samples
        assert name.startswith("fit-corrupt-")
        return
    assert parse_activity(name, blob) == expected


OWN_FITS = {
    "plain": make_fit(),
    "no session": make_fit(with_session=False),
    "no gps": make_fit(points=tuple(Point(p.seconds, p.metres, p.hr, None, None, None) for p in POINTS)),
}


@pytest.mark.parametrize("name", sorted(OWN_FITS))
def test_own_fits_read_as_fitdecode_reads_them(name):
    assert parse_activity(name, OWN_FITS[name]) == reference_activity(name, OWN_FITS[name])


def test_odd_but_valid_fit_reads_as_fitdecode_reads_it():
    """Big-endian definitions, developer fields, compressed timestamps (rolling over every
    32 s) in a redefined local message, and a second FIT file chained on."""
    developer = definition(2, 207, [(3, 1, UINT8)]) + data(2, b"\x00")
    described = definition(3, 206, [(0, 1, UINT8), (1, 1, UINT8), (2, 1, UINT8)]) + data(3, b"\x00\x00\x02")
    body = file_id() + developer + described
    body += definition(1, 20, RECORD_FIELDS, big=True, developer=[(0, 1, 0)])
    body += b"".join(data(1, record(i, i * 3.0, 130, 11, big=True) + b"\x07") for i in range(3))
    # local 3, redefined: distance and heart rate; the time is in the header (locals 0-3 only)
    body += definition(3, 20, [(5, 4, UINT32), (3, 1, UINT8)])
    for offset in range(3, 60):
        seconds = fit_time(offset)
        body += bytes([0x80 | (3 << 5) | (seconds & 0x1F)]) + struct.pack("<IB", offset * 300, 150)
    trail = definition(0, 12, [(0, 1, 0x00), (1, 1, 0x00)]) + data(0, bytes([1, 3]))  # running, trail
    blob = fit_file(body) + fit_file(file_id() + trail)
    expected = reference_activity("odd.fit", blob)
    assert expected is not None  # fitdecode reads it whole
    assert parse_activity("odd.fit", blob) == expected
    assert expected.elapsed_min == pytest.approx(59 / 60)  # the last compressed timestamp
    assert expected.distance_km == pytest.approx(0.177)
    assert expected.avg_heart_rate_bpm == round((3 * 130 + 57 * 150) / 60)
    assert expected.sport == "trail_running"


def test_an_old_foot_pods_rolling_distance_reads_as_fitdecode_reads_it():
    """record.compressed_speed_distance: 12 bits of 1/16 m that roll over every 256 m."""
    body = file_id() + definition(1, 20, [(253, 4, UINT32), (8, 3, BYTE)])
    for i in range(60):
        sixteenths = (i * 50 * 16) & 0xFFF  # 50 m a second
        body += data(1, struct.pack("<I", fit_time(i)) + (200 | sixteenths << 12).to_bytes(3, "little"))
    blob = fit_file(body)
    expected = reference_activity("pod.fit", blob)
    assert parse_activity("pod.fit", blob) == expected
    assert expected.distance_km == pytest.approx(59 * 50 / 1000)


FUZZ_SEED_NAMES = (
    "fit-garmin-fenix6s-run-with-temperature.fit",
    "fit-wahoo-elemntbolt-ride-short-with-temperature.fit",
)


def mutated(blob: bytes, rng: random.Random) -> bytes:
    """A few bytes changed, inserted or deleted, then both checksums made to match again, so
    that the reading meets the damage head on."""
    out = bytearray(blob)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(14, len(out) - 2)
        kind = rng.choice(["flip", "set", "insert", "delete"])
        if kind == "flip":
            out[at] ^= rng.randint(1, 255)
        elif kind == "set":
            out[at] = rng.choice([0, 0xFF, 0x40, 0x80, rng.randint(0, 255)])
        elif kind == "insert":
            out[at:at] = rng.randbytes(rng.randint(1, 8))
        else:
            del out[at : at + rng.randint(1, 8)]
    struct.pack_into("<I", out, 4, len(out) - 16)
    out[12:14] = struct.pack("<H", compute_crc(bytes(out[:12])))
    out[-2:] = struct.pack("<H", compute_crc(bytes(out[:-2])))
    return bytes(out)


def assert_agrees(name: str, blob: bytes) -> None:
    expected = reference_activity(name, blob)
    try:
        got = parse_activity(name, blob)
    except ImportRefused as refused:
        assert expected is None, f"refused ({refused.reason}) what fitdecode reads"
        return
    if expected is not None:
        assert got == expected


@pytest.fixture(scope="module")
def fuzz_seeds(samples_dir) -> dict[str, bytes]:
    seeds = {name: (samples_dir / name).read_bytes() for name in FUZZ_SEED_NAMES}
    seeds["own"] = make_fit()
    return seeds


def test_damaged_fit_reads_as_fitdecode_reads_it_or_is_refused(fuzz_seeds):
    """Where fitdecode's strict reading reads a damaged file, the module reads the same; it never
    refuses a file that reading reads. (The slow test below does the same with hypothesis.)"""
    rng = random.Random(11)
    for name, blob in sorted(fuzz_seeds.items()):
        for _ in range(40):
            assert_agrees(name, mutated(blob, rng))


@pytest.mark.slow
@settings(max_examples=300, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from([*FUZZ_SEED_NAMES, "own"]), seed=st.integers(0, 2**32 - 1))
def test_fuzz_the_reading_against_fitdecodes_strict_reading(fuzz_seeds, name, seed):
    assert_agrees(name, mutated(fuzz_seeds[name], random.Random(seed)))


# --- cut short: what was recorded is kept ---------------------------------------------------


def test_the_truncated_sample_keeps_its_records(samples_dir):
    """The README's values for fit-corrupt-truncated-eof.fit: the watch stopped in the last
    message, after the session; the run is all there."""
    name = "fit-corrupt-truncated-eof.fit"
    activity = parse_activity(name, (samples_dir / name).read_bytes())
    assert activity.started_at.isoformat() == "2012-04-09T21:22:26+00:00"
    assert activity.distance_km * 1000 == pytest.approx(5.73, rel=0.01)
    assert activity.duration_min * 60 == pytest.approx(13.7, abs=2)
    assert activity.elapsed_min * 60 == pytest.approx(13.7, abs=2)
    assert (activity.avg_heart_rate_bpm, activity.avg_temperature_c) == (None, None)
    assert activity.has_gps and activity.sport == "running"


def test_the_bad_checksum_sample_is_refused_and_says_what_to_do(samples_dir):
    name = "fit-corrupt-bad-crc.fit"
    reason = refusal((samples_dir / name).read_bytes(), name)
    assert reason == importing.BAD_CRC
    assert reason.startswith("its checksum does not match")  # the browser test reads this much
    assert reason.endswith("Export it again from your watch's app and upload that")


def test_cut_before_the_session_the_records_give_the_run():
    whole = make_fit(avg_heart_rate=None)
    cut = fitdecode_offset_of(whole, "lap") + 3  # 3 bytes into the lap, before the session
    activity = parse_activity("cut.fit", whole[:cut])
    assert activity.started_at == START
    assert activity.sport is None  # the sport lives in the session
    assert activity.distance_km == pytest.approx(0.6)
    assert activity.duration_min == activity.elapsed_min == pytest.approx(3.0)
    assert activity.avg_heart_rate_bpm == 140  # the records: 130, 138, 142, 150
    assert activity.avg_temperature_c == 12.0
    assert activity.has_gps


def fitdecode_offset_of(blob: bytes, message: str) -> int:
    """Where the first data message named `message` starts, by fitdecode."""
    with fitdecode.FitReader(
        io.BytesIO(blob), check_crc=fitdecode.CrcCheck.READONLY, keep_raw_chunks=True
    ) as r:
        for frame in r:
            if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == message:
                return frame.chunk.offset
    raise AssertionError(f"no {message} message")


def test_cut_in_the_middle_of_the_records_keeps_the_whole_ones():
    blob = fit_file(file_id() + run_records(10), crc=False)
    record_size = 1 + 4 + 4 + 1 + 1 + 4 + 4
    cut = len(blob) - 4 * record_size - 5  # 5 bytes before the end of the 6th record
    activity = parse_activity("cut.fit", blob[:cut])
    assert activity.started_at == START
    assert activity.elapsed_min == pytest.approx(4 / 60)  # records 0..4, one a second
    assert activity.distance_km == pytest.approx(0.012)
    assert activity.avg_heart_rate_bpm == 122  # 120..124


def test_a_file_whose_length_was_never_written_is_read_to_its_end():
    blob = fit_file(file_id() + run_records(10), data_size=0, crc=False)
    activity = parse_activity("zero.fit", blob)
    assert activity.elapsed_min == pytest.approx(9 / 60) and activity.distance_km == pytest.approx(0.027)


@pytest.mark.parametrize("keep", [12, 13, 14, 20, 30])
def test_cut_before_anything_was_recorded_is_refused(keep):
    blob = fit_file(file_id() + run_records(3))
    assert refusal(blob[:keep], "early.fit") == importing.CUT_SHORT


def test_a_whole_file_with_a_wrong_checksum_is_refused():
    blob = bytearray(fit_file(file_id() + run_records(3)))
    blob[-1] ^= 0x01
    assert refusal(bytes(blob)) == importing.BAD_CRC
    header = bytearray(fit_file(file_id() + run_records(3)))
    header[12] ^= 0x01
    assert refusal(bytes(header)) == importing.BAD_CRC


def test_a_whole_file_whose_messages_do_not_fit_is_damaged():
    """The checksum matches, but a data message uses a local number never defined."""
    blob = fit_file(file_id() + data(7, b"\x00"))
    assert refusal(blob) == importing.FIT_DAMAGED
    wrong_sum = bytearray(blob)
    wrong_sum[-1] ^= 0xFF
    assert refusal(bytes(wrong_sum)) == importing.BAD_CRC  # the checksum is the better diagnosis


# --- the record budget --------------------------------------------------------------------


@pytest.mark.parametrize(
    "blob",
    [make_fit(), fit_file(file_id() + run_records(50) + run_records(50) + run_records(10, local=2))],
    ids=["own", "redefined"],
)
def test_the_record_budget_is_exact(blob):
    records = budget_of(blob)
    assert parse_activity("run.fit", blob, max_records=records).distance_km
    assert refusal(blob, max_records=records - 1) == importing.too_many_records(records - 1)


def test_a_real_file_costs_its_messages(samples_dir, budgets):
    name = "fit-suunto9baro-trail-run-with-temperature.fit"  # 20 definitions, 4415 data messages
    blob = (samples_dir / name).read_bytes()
    assert budget_of(blob) == 4415 + 20
    parse_activity(name, blob)
    assert budgets[0].records == 4415 + 20


def test_a_bomb_of_one_definition_repeated_stops_at_the_budget(budgets):
    blob = fit_file(file_id() + definition(1, 20, RECORD_FIELDS) * 20_000)
    assert refusal(blob, max_records=5000) == importing.too_many_records(5000)
    assert budgets[0].records == 5001


def test_a_bomb_of_distinct_definitions_stops_at_the_budget(budgets):
    """Each definition counts one record, whether met before or not."""
    fields = [[(2, 1 + i % 200, BYTE), *RECORD_FIELDS, (7, 1 + i // 200, BYTE)] for i in range(12_000)]
    blob = fit_file(file_id() + b"".join(definition(1, 20, f) for f in fields))
    assert refusal(blob, max_records=10_000) == importing.too_many_records(10_000)
    assert budgets[0].records == 10_001


def test_a_bomb_of_one_byte_records_stops_at_the_budget(budgets):
    blob = fit_file(one_byte_records(200_000))
    assert refusal(blob, "bomb.fit", max_records=1000) == importing.too_many_records(1000)
    (budget,) = budgets
    assert budget.records == 1001  # it stopped at the first record past the budget


def test_the_issues_gzipped_bomb_is_refused_at_the_record_budget(budgets):
    """26 million one-byte records in a 25 KB .fit.gz: took 133 s to read, now refused at
    MAX_RECORDS, a thirty-seventh of the way in."""
    blob = fit_file(one_byte_records(26_000_000), fast_crc=True)
    packed = gzip.compress(blob, compresslevel=9, mtime=0)
    assert len(packed) < 30 * 1024 and len(blob) <= importing.MAX_FILE_BYTES
    reason = refusal(packed, "bomb.fit.gz")
    assert reason == importing.too_many_records(importing.MAX_RECORDS)
    assert reason.startswith("it holds more than 700,000 recorded points")
    assert budgets[0].records == importing.MAX_RECORDS + 1


@pytest.mark.slow
def test_a_real_multi_day_ultra_fits_the_budget():
    """300,000 one-second records (83 hours) with a message of some other kind for every one
    (as Suunto's HRV or Garmin's GPS metadata add) reads: within both budgets (fitdecode takes
    some tens of seconds)."""
    body = file_id() + definition(1, 20, RECORD_FIELDS) + definition(2, 78, [(0, 10, UINT16)])
    extra = data(2, b"\x01\x02" * 5)
    body += b"".join(data(1, record(i, i * 2.5, 150, 15)) + extra for i in range(300_000))
    activity = parse_activity("ultra.fit", fit_file(body, fast_crc=True))
    assert activity.elapsed_min == pytest.approx(299_999 / 60)
    assert activity.distance_km == pytest.approx(749.9975)


@pytest.mark.parametrize(
    ("blob", "records"),
    [
        (make_gpx(), 4),  # four track points
        (make_tcx(), 4),
    ],
    ids=["gpx", "tcx"],
)
def test_xml_track_points_count_against_the_budget(blob, records):
    assert parse_activity("ok", blob, max_records=records).distance_km
    assert refusal(blob, max_records=records - 1) == importing.too_many_records(records - 1)


def test_xml_elements_count_against_the_budget_too(budgets):
    """A GPX of one point and 100,000 empty elements: refused at two elements a record
    and a thousand spare."""
    head = b'<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1">'
    head += b"<time>2024-01-01T00:00:00Z</time><extensions>"
    blob = head + b"<a/>" * 100_000 + b"</extensions></trkpt></trkseg></trk></gpx>"
    assert refusal(blob, max_records=1000) == importing.too_many_records(1000)
    assert budgets[0].elements == 3001


# --- the time budget ----------------------------------------------------------------------


class Clock:
    """time.monotonic, a second further on at every look."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.mark.parametrize(
    "blob",
    [
        fit_file(file_id() + run_records(3000)),
        make_gpx(points=tuple(Point(i, i * 3.0, 140, 10, 52 + i * 1e-5, 4.0) for i in range(3000))),
        b"<TrainingCenterDatabase><Activities><Activity Sport='Running'>"
        + b"<Lap><Track>"
        + b"<Trackpoint><Time>2024-01-01T00:00:00Z</Time></Trackpoint>" * 3000
        + b"</Track></Lap></Activity></Activities></TrainingCenterDatabase>",
    ],
    ids=["fit", "gpx", "tcx"],
)
def test_past_the_time_budget_the_file_is_refused(monkeypatch, blob):
    monkeypatch.setattr(importing.time, "monotonic", Clock())
    assert refusal(blob, max_seconds=5) == importing.too_slow(5)


def test_a_few_huge_messages_are_held_to_the_time_budget(monkeypatch, budgets):
    """The clock is looked at every FIT message: 65 KB ones take fitdecode tens of milliseconds."""
    wide = definition(1, 78, [(number, 255, BYTE) for number in range(255)])  # 65 KB a message
    blob = fit_file(file_id() + wide + data(1, b"\x01" * 255 * 255) * 80, fast_crc=True)
    monkeypatch.setattr(importing.time, "monotonic", Clock())
    assert refusal(blob, max_seconds=3) == importing.too_slow(3)
    assert budgets[0].records < 10


def test_the_time_budget_covers_the_checksum(monkeypatch, budgets):
    """A file of four messages whose checksum alone outlasts the time budget (the clock is
    looked at between slices of the checksum)."""
    wide = definition(1, 78, [(number, 255, BYTE) for number in range(255)])
    blob = fit_file(file_id() + wide + data(1, b"\x01" * 255 * 255), fast_crc=True)
    monkeypatch.setattr(importing, "_FIT_CRC_SLICE", 1024)  # 64 slices
    monkeypatch.setattr(importing.time, "monotonic", Clock())
    assert refusal(blob, max_seconds=20) == importing.too_slow(20)
    assert budgets[0].records == 4


def test_budget_refusals_are_written_for_runners():
    for reason in (
        importing.too_many_records(importing.MAX_RECORDS),
        importing.too_slow(importing.MAX_PARSE_SECONDS),
    ):
        assert "Upload each run in a file of its own" in reason
        assert not re.search(RUNNER_TEXT_FORBIDDEN, reason)
    assert importing.too_many_records(1_000_000).startswith(
        "it holds more than 1,000,000 recorded points, more than a run recorded every second for 11.6 days"
    )
    assert importing.too_many_records(700_000).startswith(
        "it holds more than 700,000 recorded points, more than a run recorded every second for 8.1 days"
    )
    assert importing.too_slow(75.0).startswith("it took more than 75 seconds to read")
    assert "MAX_RECORDS" in importing.__all__ and "MAX_PARSE_SECONDS" in importing.__all__


def test_limits_are_sized_for_real_files():
    """A 300,000-record ultra at two messages a second fits the record budget; the time budget
    is long enough for fitdecode to read it and shorter than the worker's 90 s job lease."""
    assert importing.MAX_RECORDS == 700_000 >= 2 * 300_000
    assert timedelta(seconds=importing.MAX_RECORDS) > timedelta(days=8)
    assert 60 <= importing.MAX_PARSE_SECONDS < 90


# --- the worst files within the limits: time to refusal and peak memory ----------------------
#
# Run with -s to see the figures:
#   AFTERMATH_TESTING=1 python -m pytest -q -p no:cacheprovider -m slow -s \
#       tests/test_watch_file_limits.py -k worst
# Each file is read in a fresh interpreter, which reports its peak resident memory (VmHWM)
# and the wall-clock time of parse_activity; the memory is asserted, and that the time stays
# within the time budget (and a few seconds of slack: the clock is looked at every message).

MEASURE = r"""
import re, sys, time
from checkins.transfer.watch_files import ImportRefused, parse_activity

def peak_mb():  # VmHWM: this process's peak resident memory (ru_maxrss keeps the parent's)
    with open("/proc/self/status") as status:
        return int(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1)) / 1024

data = open(sys.argv[1], "rb").read()
before = peak_mb()
started = time.monotonic()
try:
    parse_activity(sys.argv[1], data)
    outcome = "read"
except ImportRefused as refused:
    outcome = refused.reason[:60]
elapsed = time.monotonic() - started
print(f"{elapsed:.2f}|{before:.0f}|{peak_mb():.0f}|{outcome}")
"""


def worst_files(folder: Path) -> dict[str, bytes]:
    limit = importing.MAX_FILE_BYTES
    files: dict[str, bytes] = {}
    files["fit.gz of 26 million one-byte records"] = gzip.compress(
        fit_file(one_byte_records(26_000_000), fast_crc=True), mtime=0
    )
    body = file_id() + definition(1, 20, RECORD_FIELDS)
    records = importing.MAX_RECORDS - 3  # the file_id's definition and data, the records' definition
    body += b"".join(data(1, record(i, i * 2.5, 150, 15)) for i in range(records))
    budget_sized = fit_file(body, fast_crc=True)
    files[f"fit of {records:,} records, the budget exactly ({len(body) / 2**20:.0f} MB)"] = budget_sized
    files["fit of one message too many"] = fit_file(body + data(1, record(0, 0, 0, 0)), fast_crc=True)
    files["fit of one definition a million times"] = fit_file(
        file_id() + definition(1, 20, RECORD_FIELDS) * 1_000_100, fast_crc=True
    )
    distinct = [
        [(2, 1 + i % 250, BYTE), *RECORD_FIELDS[:4], (7, 1 + i // 250 % 250, BYTE)] for i in range(10**6)
    ]
    files["fit of a million distinct definitions"] = fit_file(
        file_id() + b"".join(definition(1, 20, f) for f in distinct), fast_crc=True
    )
    wide = definition(1, 78, [(number, 255, BYTE) for number in range(255)])
    count = (limit - 200) // (255 * 255 + 1)
    files["fit of 25 MB in 65 KB messages (the checksum)"] = fit_file(
        file_id() + wide + data(1, b"\x01" * 255 * 255) * count, fast_crc=True
    )
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1"><trk><trkseg>'
    point = (
        '<trkpt lat="{lat:.7f}" lon="4.1234567"><ele>10.4</ele><time>{t}</time><extensions>'
        "<gpxtpx:TrackPointExtension><gpxtpx:hr>140</gpxtpx:hr><gpxtpx:atemp>12</gpxtpx:atemp>"
        "</gpxtpx:TrackPointExtension></extensions></trkpt>\n"
    )
    points, size = [], len(head) + 30
    start = int(START.timestamp())
    for i in range(10**7):
        t = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i))
        text = point.format(lat=52 + i * 1e-6, t=t)
        if size + len(text) > limit:
            break
        points.append(text)
        size += len(text)
    gpx = head + "".join(points) + "</trkseg></trk></gpx>\n"
    files[f"gpx of 25 MB, {len(points):,} points"] = gpx.encode()
    half = head + "".join(points[: len(points) // 2 - 100]) + "</trkseg></trk></gpx>\n"
    utf16 = half.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")
    files["gpx of 25 MB in UTF-16"] = codecs.BOM_UTF16_LE + utf16
    files["gpx.gz of 25 MB"] = gzip.compress(gpx.encode(), mtime=0)
    empty = (
        '<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1"><time>2024-01-01T00:00:00Z</time><extensions>'
    )
    files["gpx of 25 MB of empty elements"] = (
        empty + "<a/>" * ((limit - len(empty) - 50) // 4) + "</extensions></trkpt></trkseg></trk></gpx>"
    ).encode()
    tcx_point = (
        "<Trackpoint><Time>{t}</Time><Position><LatitudeDegrees>52.1234567</LatitudeDegrees>"
        "<LongitudeDegrees>4.1234567</LongitudeDegrees></Position><AltitudeMeters>10.4</AltitudeMeters>"
        "<DistanceMeters>{m:.1f}</DistanceMeters><HeartRateBpm><Value>150</Value></HeartRateBpm>"
        "<Extensions><TPX><Speed>3.1</Speed><RunCadence>88</RunCadence></TPX></Extensions></Trackpoint>\n"
    )
    tcx_head = (
        '<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>2024-05-04T07:30:00Z</Id>'
        '<Lap StartTime="2024-05-04T07:30:00Z"><Track>'
    )
    parts, size = [tcx_head], len(tcx_head) + 100
    for i in range(10**7):
        text = tcx_point.format(t=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + i)), m=i * 2.5)
        if size + len(text) > limit:
            break
        parts.append(text)
        size += len(text)
    files["tcx of 25 MB"] = (
        "".join(parts) + "</Track></Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()
    for name, blob in files.items():
        assert len(blob) <= limit, name
    return files


@pytest.mark.slow
def test_worst_files_stay_within_memory(tmp_path, capsys):
    import subprocess
    import sys

    results = []
    for index, (name, blob) in enumerate(worst_files(tmp_path).items()):
        path = tmp_path / f"worst-{index}"
        path.write_bytes(blob)
        out = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent.parent,
        ).stdout.strip()
        seconds, before, peak, outcome = out.split("|", 3)
        results.append((name, len(blob), float(seconds), int(before), int(peak), outcome))
    with capsys.disabled():
        print("\nfile | bytes | seconds | RSS before | peak RSS (MB) | outcome")
        for name, size, seconds, before, peak, outcome in results:
            print(f"{name} | {size:,} | {seconds:.2f} | {before} | {peak} | {outcome}")
    for name, _, seconds, _, peak, outcome in results:
        assert peak < 150, name
        assert outcome == "read" or any(
            words in outcome for words in ("recorded points", "no recorded activity", "took more than")
        ), name
        assert seconds < importing.MAX_PARSE_SECONDS + 5, name
