"""Activity-file import (checkins.transfer.watch_files): real samples, the project's own fixtures,
refusals, archives, fuzzing and duplicate detection. No database."""

from __future__ import annotations

import codecs
import random
import re
import struct
import zipfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import gpxpy
import pytest
from fit_tool.profile.profile_type import FileType, Sport, SubSport
from fitdecode.utils import compute_crc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checkins.transfer import watch_files as importing
from checkins.transfer.watch_files import (
    Activity,
    ArchiveMember,
    ImportRefused,
    is_duplicate,
    normalise_sport,
    not_a_run,
    parse_activity,
    read_members,
    sport_of,
)
from tests.helpers import (
    POINTS,
    START,
    Point,
    gz,
    make_fit,
    make_gpx,
    make_tcx,
    make_zip,
    strava_csv,
    write,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT_ROOT.parent / "shared" / "samples"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def refusal(data: bytes, filename: str = "upload") -> str:
    with pytest.raises(ImportRefused) as caught:
        parse_activity(filename, data)
    assert caught.value.filename == filename
    return caught.value.reason


# --- 1. real samples ---------------------------------------------------------------------

# name: (start, metres or None, duration s, elapsed s or None, HR, °C, GPS, sport), from the README.
# Duration is the moving/timer figure; for TCX elapsed is the README's "trackpoints span".
EXPECTED = {
    "fit-garmin-fenix6s-run-with-temperature.fit": (
        utc(2021, 2, 6, 11, 3, 55), 588.21, 314.0, 354.0, 124, 8, True, "running"),
    "fit-garmin-fr910xt-run.fit": (
        utc(2012, 9, 29, 15, 2, 19), 9843.26, 3006.7, 3010.6, 155, None, True, "running"),
    "fit-coros-apexpro-run.fit": (
        utc(2020, 3, 14, 13, 52, 29), 10743.64, 2922.0, 2922.0, 160, 24, True, "running"),
    "fit-suunto9baro-trail-run-with-temperature.fit": (
        utc(2020, 3, 4, 16, 14, 31), 6458.0, 2160.7, 2196.0, 148, 21, True, "trail_running"),
    "fit-wahoo-elemntbolt-ride-short-with-temperature.fit": (
        utc(2017, 8, 21, 8, 18, 0), 963.65, 132.0, 140.0, None, 20, True, "cycling"),
    "fit-zwift-virtual-ride.fit": (
        utc(2021, 12, 12, 9, 15, 49), 3116.92, 370.0, 369.0, 104, None, True, "cycling"),
    "fit-garmin-edge800-indoor-ride-no-gps.fit": (
        utc(2011, 11, 2, 12, 54, 19), None, 2261.8, 2261.8, 148, 16.6, False, "cycling"),
    "gpx-garmin-connect-run-with-hr.gpx": (
        utc(2018, 4, 23, 15, 54, 34), 3879.1, 1377.0, None, 121.2, None, True, "running"),
    "gpx-gpsbabel-hike-no-hr-multitrack.gpx": (
        utc(2010, 8, 5, 14, 23, 59), 4580.1, 4239.0, None, None, None, True, None),
    "tcx-garmin-fr410-run-with-hr.tcx": (
        utc(2012, 12, 26, 21, 29, 53), 4689.2, 1992.8, 1992.0, 156.7, None, True, "running"),
    "tcx-garmin-fr405-run-no-gps-footpod.tcx": (
        utc(2017, 1, 16, 19, 2, 0), 5598.6, 1552.9, 1552.0, 172.2, None, False, "running"),
    "tcx-polar-v800-run.tcx": (
        utc(2016, 9, 12, 11, 19, 55), 4156.7, 1545.0, 2162.0, 129.9, None, True, "running"),
    "tcx-scrubbed-run-leading-whitespace.tcx.gz": (
        utc(2018, 2, 28, 16, 28, 50), 5030.7, 2014.0, 2030.0, 100.0, None, True, "running"),
}  # fmt: skip
CORRUPT = {"fit-corrupt-bad-crc.fit": importing.BAD_CRC}
TRUNCATED = "fit-corrupt-truncated-eof.fit"  # kept: see tests/test_watch_file_limits.py
ALL_SAMPLES = sorted([*EXPECTED, *CORRUPT, TRUNCATED])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_matches_readme(samples_dir, name):
    start, metres, duration, elapsed, hr, temp, gps, sport = EXPECTED[name]
    activity = parse_activity(name, (samples_dir / name).read_bytes())

    assert activity.filename == name
    assert activity.source_format == name.split("-", 1)[0]
    assert activity.started_at == start and activity.started_at.utcoffset() == timedelta(0)
    if metres is None:
        assert activity.distance_km is None
    else:
        assert activity.distance_km == pytest.approx(metres / 1000, rel=0.01)
    assert activity.duration_min * 60 == pytest.approx(duration, abs=2)
    if elapsed is not None:
        assert activity.elapsed_min * 60 == pytest.approx(elapsed, abs=2)
    assert activity.elapsed_min >= activity.duration_min - 2 / 60  # Zwift: timer 370 s, elapsed 369 s
    if hr is None:
        assert activity.avg_heart_rate_bpm is None
    else:
        assert activity.avg_heart_rate_bpm == pytest.approx(hr, abs=1)
    if temp is None:
        assert activity.avg_temperature_c is None
    else:
        assert activity.avg_temperature_c == pytest.approx(temp, abs=1)
    assert activity.has_gps is gps
    assert activity.sport == sport


def test_edge800_indoor_ride_has_no_distance_and_no_gps(samples_dir):
    name = "fit-garmin-edge800-indoor-ride-no-gps.fit"
    activity = parse_activity(name, (samples_dir / name).read_bytes())
    assert activity.distance_km is None  # the session says 0 m: unknown, not zero
    assert activity.has_gps is False
    assert activity.avg_temperature_c == pytest.approx(16.6, abs=0.05)  # from the records


def test_zwift_distance_comes_from_the_session(samples_dir):
    name = "fit-zwift-virtual-ride.fit"
    activity = parse_activity(name, (samples_dir / name).read_bytes())
    assert activity.distance_km == 3.11692


def test_gzipped_tcx_with_leading_whitespace(samples_dir):
    name = "tcx-scrubbed-run-leading-whitespace.tcx.gz"
    data = (samples_dir / name).read_bytes()
    assert data[:2] == b"\x1f\x8b"
    # content decides, not the name
    activity = parse_activity("export.bin", data)
    assert activity.source_format == "tcx" and activity.distance_km == pytest.approx(5.0307, rel=0.001)


@pytest.mark.parametrize(("name", "reason"), sorted(CORRUPT.items()))
def test_corrupt_fit_samples_are_refused_with_reason(samples_dir, name, reason):
    assert refusal((samples_dir / name).read_bytes(), name) == reason
    assert "checksum" in reason


CUTS = (1, 11, 13, 0.1, 0.5, 0.9, -2, -1)


@pytest.mark.parametrize("name", ALL_SAMPLES)
def test_truncated_samples_refused_or_parsed_never_crash(samples_dir, name):
    """A cut FIT keeps what it recorded (or says it was cut before anything was); a cut gzip
    or XML document is refused."""
    data = (samples_dir / name).read_bytes()
    for cut in CUTS:
        end = int(len(data) * cut) if isinstance(cut, float) else cut % len(data)
        try:
            activity = parse_activity(name, data[:end])
        except ImportRefused as exc:
            if name.endswith(".fit") and end >= 12:
                assert exc.reason == importing.CUT_SHORT, (end, exc.reason)
            assert exc.reason
        else:
            assert not name.endswith(".gz"), f"{name} cut at {end} should be refused"
            assert activity.started_at.tzinfo is not None


@pytest.mark.parametrize("name", [n for n in ALL_SAMPLES if n.endswith(".fit")])
def test_a_fit_cut_in_half_keeps_its_first_half(samples_dir, name):
    """As a watch leaves a file when its battery dies: the records before the cut count."""
    data = (samples_dir / name).read_bytes()
    whole = parse_activity(name, data[:-3] if name in CORRUPT else data)
    half = parse_activity(name, data[: len(data) // 2])
    assert timedelta(0) <= half.started_at - whole.started_at <= timedelta(minutes=1)
    assert half.elapsed_min < whole.elapsed_min
    assert half.elapsed_min > whole.elapsed_min / 5  # about half of the recording is there
    if whole.distance_km:
        assert 0 < half.distance_km < whole.distance_km
    assert half.has_gps is whole.has_gps
    assert refusal(data[:40], name) == importing.CUT_SHORT


# --- 2. the project's own fixtures -------------------------------------------------------


def test_own_fit_file(tmp_path):
    path = write(tmp_path, "run.fit", make_fit(avg_temperature=14))
    activity = parse_activity(path.name, path.read_bytes())
    assert activity == Activity(
        filename="run.fit",
        sport="running",
        started_at=START,
        distance_km=0.6,
        duration_min=170 / 60,
        elapsed_min=3.0,
        avg_heart_rate_bpm=141,
        avg_temperature_c=14.0,
        has_gps=True,
        source_format="fit",
    )


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # session lacks HR and temperature: means over the records (130, 138, 142, 150 -> 140; 12 °C)
        ({"avg_heart_rate": None}, {"avg_heart_rate_bpm": 140, "avg_temperature_c": 12.0}),
        # session distance wins over the records' last distance
        ({"total_distance": 650.0}, {"distance_km": 0.65}),
        # session without a distance: the last record's distance
        ({"total_distance": None}, {"distance_km": 0.6}),
        # no timer time: the elapsed time is the duration
        ({"timer_time": None}, {"duration_min": 3.0, "elapsed_min": 3.0}),
        # no session at all: records give start, span, distance, HR
        ({"with_session": False}, {"sport": None, "distance_km": 0.6, "duration_min": 3.0}),
        ({"sport": Sport.RUNNING, "sub_sport": SubSport.TRAIL}, {"sport": "trail_running"}),
        ({"sport": Sport.CYCLING}, {"sport": "cycling"}),
        ({"sport": Sport.HIKING}, {"sport": "hiking"}),
        ({"sport": Sport.GENERIC}, {"sport": None}),
        (
            {"points": tuple(Point(p.seconds, p.metres, p.hr, None, None, None) for p in POINTS)},
            {"has_gps": False, "avg_temperature_c": None},
        ),
    ],
)
def test_own_fit_variants(kwargs, expected):
    activity = parse_activity("run.fit", make_fit(**kwargs))
    for key, value in expected.items():
        wanted = pytest.approx(value) if isinstance(value, float) else value
        assert getattr(activity, key) == wanted, key


def test_own_fit_that_is_not_an_activity():
    assert refusal(make_fit(file_type=FileType.COURSE)) == (
        "a FIT course file, not a recorded activity. "
        "Export the recorded activity from your watch's app and upload that"
    )


def test_own_gpx_file(tmp_path):
    path = write(tmp_path, "run.gpx", make_gpx())
    activity = parse_activity(path.name, path.read_bytes())
    assert activity.started_at == START
    assert activity.distance_km == pytest.approx(0.6, rel=0.01)
    assert activity.duration_min == 3.0 and activity.elapsed_min == 3.0
    assert activity.avg_heart_rate_bpm == 140
    assert activity.avg_temperature_c == 12.0
    assert (activity.sport, activity.has_gps, activity.source_format) == ("running", True, "gpx")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # other prefixes and the plain <heartrate> of some apps; no namespace needed
        (
            b'<gpx version="1.1" xmlns:ns3="urn:x"><trk><type>Trail Run</type><trkseg>'
            b'<trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time>'
            b"<extensions><ns3:TrackPointExtension><ns3:hr>100</ns3:hr><ns3:temp>5</ns3:temp>"
            b"</ns3:TrackPointExtension></extensions></trkpt>"
            b'<trkpt lat="1.001" lon="1"><time>2024-01-01T10:01:00Z</time>'
            b"<extensions><heartrate>110</heartrate></extensions></trkpt></trkseg></trk></gpx>",
            {"avg_heart_rate_bpm": 105, "avg_temperature_c": 5.0, "sport": "trail_running"},
        ),
        # two segments with a gap: duration leaves the gap out, elapsed keeps it
        (
            b'<gpx version="1.1"><trk><trkseg>'
            b'<trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time></trkpt>'
            b'<trkpt lat="1.001" lon="1"><time>2024-01-01T10:01:00Z</time></trkpt></trkseg><trkseg>'
            b'<trkpt lat="1.002" lon="1"><time>2024-01-01T10:11:00Z</time></trkpt>'
            b'<trkpt lat="1.003" lon="1"><time>2024-01-01T10:12:00+00:00</time></trkpt></trkseg></trk></gpx>',
            {"duration_min": 2.0, "elapsed_min": 12.0, "sport": None, "avg_heart_rate_bpm": None},
        ),
        # Latin-1, as declared
        (
            '<?xml version="1.0" encoding="ISO-8859-1"?><gpx version="1.1"><trk><name>Côte</name><trkseg>'
            '<trkpt lat="1" lon="1"><time>2024-01-01T10:00:00Z</time></trkpt>'
            '<trkpt lat="1.001" lon="1"><time>2024-01-01T10:01:00Z</time></trkpt>'
            "</trkseg></trk></gpx>".encode("latin-1"),
            {"duration_min": 1.0, "started_at": utc(2024, 1, 1, 10, 0, 0)},
        ),
    ],
)
def test_gpx_variants(data, expected):
    activity = parse_activity("x.gpx", data)
    for key, value in expected.items():
        assert getattr(activity, key) == value, key


# GPX is read as a stream; its figures are gpxpy's. Documents gpxpy reads, and the stream must
# read the same from: the samples, the own fixture, and the corners of gpxpy's rules.
def gpx_doc(body: str, head: str = "") -> bytes:
    return f'{head}<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">{body}</gpx>'.encode()


def pt(lat: float, lon: float, time: str | None = None, inner: str = "") -> str:
    when = f"<time>{time}</time>" if time else ""
    return f'<trkpt lat="{lat}" lon="{lon}"><ele>3</ele>{when}{inner}</trkpt>'


T = "2024-01-01T10:{:02d}:00Z".format
GPX_CORNERS = {
    "segments with a gap": gpx_doc(
        f"<trk><trkseg>{pt(1, 1, T(0))}{pt(1.001, 1, T(1))}</trkseg>"
        f"<trkseg>{pt(1.002, 1, T(11))}{pt(1.003, 1.001, T(12))}</trkseg></trk>"
    ),
    "first point untimed": gpx_doc(
        f"<trk><trkseg>{pt(1, 1)}{pt(1.001, 1, T(1))}{pt(1.002, 1, T(5))}</trkseg>"
        f"<trkseg>{pt(1.003, 1, T(10))}{pt(1.004, 1, T(12))}</trkseg></trk>"
    ),
    "last point untimed": gpx_doc(
        f"<trk><trkseg>{pt(1, 1, T(0))}{pt(1.001, 1, T(3))}{pt(1.002, 1)}</trkseg>"
        f"<trkseg>{pt(1.003, 1, T(10))}{pt(1.004, 1, T(12))}</trkseg></trk>"
    ),
    "a segment without times": gpx_doc(
        f"<trk><trkseg>{pt(1, 1, T(0))}{pt(1.1, 1, T(9))}</trkseg>"
        f"<trkseg>{pt(2, 2)}{pt(2.1, 2)}</trkseg></trk>"
    ),
    "far apart: haversine": gpx_doc(f"<trk><trkseg>{pt(50, 4, T(0))}{pt(50.5, 4.9, T(30))}</trkseg></trk>"),
    "one-point segment, two tracks": gpx_doc(
        f"<trk><type>running</type><trkseg>{pt(1, 1, T(2))}</trkseg></trk>"
        f"<trk><type>cycling</type><trkseg>{pt(3, 3, T(4))}{pt(3.01, 3, T(9))}</trkseg></trk>"
    ),
    "routes and waypoints left out": gpx_doc(
        f'<wpt lat="9" lon="9"><time>{T(0)}</time></wpt><rte><rtept lat="8" lon="8"/></rte>'
        f"<trk><trkseg>{pt(1, 1, T(1))}{pt(1.001, 1.001, T(2))}</trkseg></trk>"
    ),
    "extensions and comments": gpx_doc(
        "<!-- a comment --><metadata><time>2020-01-01T00:00:00Z</time></metadata>"
        "<trk><trkseg>"
        + pt(1, 1, T(0), "<extensions><ns3:TrackPointExtension xmlns:ns3='urn:x'><ns3:hr>100</ns3:hr>"
                         "<ns3:atemp>4</ns3:atemp></ns3:TrackPointExtension></extensions>")
        + pt(1.001, 1, "2024-01-01T11:01:00+01:00", "<extensions><heartrate>120</heartrate></extensions>")
        + "</trkseg></trk>"
    ),
}  # fmt: skip


def gpxpy_figures(data: bytes):
    gpx = gpxpy.parse(data.decode())
    start, end = gpx.get_time_bounds()
    return start, end, gpx.length_2d(), gpx.get_duration()


@pytest.mark.parametrize("name", sorted(GPX_CORNERS))
def test_gpx_reads_as_gpxpy_reads_it(name):
    assert_gpx_as_gpxpy(name, GPX_CORNERS[name])


@pytest.mark.parametrize("name", [n for n in sorted(EXPECTED) if n.startswith("gpx-")])
def test_gpx_samples_read_as_gpxpy_reads_them(samples_dir, name):
    assert_gpx_as_gpxpy(name, (samples_dir / name).read_bytes())


def assert_gpx_as_gpxpy(name: str, data: bytes) -> None:
    start, end, metres, seconds = gpxpy_figures(data)
    activity = parse_activity(name, data)
    assert activity.started_at == start.astimezone(UTC)
    assert activity.started_at + timedelta(minutes=activity.elapsed_min) == end.astimezone(UTC)
    assert activity.distance_km * 1000 == pytest.approx(metres, rel=1e-12)
    if seconds:
        assert activity.duration_min * 60 == pytest.approx(seconds, rel=1e-12)
    else:  # gpxpy: unknown (None) or nothing: the elapsed time stands in
        assert activity.duration_min == activity.elapsed_min


def test_gpx_corners_by_hand():
    gap = parse_activity("x", GPX_CORNERS["segments with a gap"])
    assert (gap.duration_min, gap.elapsed_min) == (2.0, 12.0)
    assert parse_activity("x", GPX_CORNERS["first point untimed"]).duration_min == 4.0 + 2  # from the 2nd
    assert parse_activity("x", GPX_CORNERS["last point untimed"]).duration_min == 3.0 + 2  # to the 2nd last
    untimed = parse_activity("x", GPX_CORNERS["a segment without times"])
    assert untimed.duration_min == untimed.elapsed_min == 9.0  # gpxpy: unknown, so the elapsed time
    assert parse_activity("x", GPX_CORNERS["one-point segment, two tracks"]).sport == "running"  # the first
    ext = parse_activity("x", GPX_CORNERS["extensions and comments"])
    assert (ext.avg_heart_rate_bpm, ext.avg_temperature_c, ext.duration_min) == (110, 4.0, 1.0)


# Strava's GPX exports write the activity type as a number (see _STRAVA_GPX_TYPES).
@pytest.mark.parametrize(
    ("code", "sport", "is_run"),
    [
        ("9", "running", True),
        ("09", "running", True),
        ("1", "cycling", False),
        ("4", "hiking", False),
        ("10", "walking", False),
        ("16", "swimming", False),
        ("2", "other", False),  # a number we do not know: some sport, never a run
        ("99", "other", False),
        ("Run", "running", True),
        ("running", "running", True),
    ],
)
def test_strava_numeric_gpx_types(code, sport, is_run):
    run_pace = tuple(Point(i * 30, i * 100.0, None, None, 52.0 + i * 0.0009, 4.0) for i in range(40))
    data = make_gpx(points=run_pace, sport=code).replace(b'creator="aftermath tests"', b'creator="StravaGPX"')
    activity = parse_activity("strava.gpx", data)
    assert activity.sport == sport
    assert activity.pace_min_per_km == pytest.approx(5.0, rel=0.05)  # a running pace either way
    assert (not_a_run(activity) is None) is is_run


def test_a_ride_in_a_strava_gpx_is_never_imported_as_a_run():
    """10 km at 5:00 min/km is a running pace; <type>1</type> says it was a ride."""
    points = tuple(Point(i * 30, i * 100.0, None, None, 52.0 + i * 0.0009, 4.0) for i in range(101))
    ride = make_gpx(points=points, sport="1")
    activity = parse_activity("ride.gpx", ride)
    assert not_a_run(activity) == "cycling"
    (item,) = read_archive("export.zip", make_zip({"activities/5.gpx": ride}))
    assert not item.is_run
    assert not_a_run(parse_activity("x.gpx", make_gpx(points=points, sport=None))) is None  # no type: a run


# UTF-16 GPX: with a byte-order mark (LE or BE), or declared without one, reads as UTF-8 does.
UNICODE_GPX = make_gpx().decode().replace("Test run", "Côte d'Azur 🏃 日本")


def utf16(text: str, codec: str, bom: bytes = b"", declared: bool = True) -> bytes:
    if declared:
        text = text.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    else:
        text = text.replace(' encoding="UTF-8"', "")
    return bom + text.encode(codec)


@pytest.mark.parametrize(
    "data",
    [
        utf16(UNICODE_GPX, "utf-16-le", codecs.BOM_UTF16_LE),
        utf16(UNICODE_GPX, "utf-16-be", codecs.BOM_UTF16_BE),
        utf16(UNICODE_GPX, "utf-16-le", codecs.BOM_UTF16_LE, declared=False),
        utf16(UNICODE_GPX, "utf-16-be", codecs.BOM_UTF16_BE, declared=False),
        utf16(UNICODE_GPX, "utf-16-le"),  # declared, no byte-order mark
        utf16(UNICODE_GPX, "utf-16-be"),
        utf16("\r\n  " + UNICODE_GPX, "utf-16-le", codecs.BOM_UTF16_LE),  # whitespace before <?xml
        utf16("\n" + UNICODE_GPX, "utf-16-be"),
        UNICODE_GPX.replace('encoding="UTF-8"', 'encoding="UTF-32"').encode("utf-32"),
        codecs.BOM_UTF8 + b"\n " + UNICODE_GPX.encode(),
        UNICODE_GPX.replace("UTF-8", "windows-1252").replace(" 🏃 日本", "").encode("cp1252"),
        UNICODE_GPX.replace("UTF-8", "Shift_JIS").replace("Côte d'Azur 🏃 ", "").encode("shift_jis"),
        UNICODE_GPX.replace("UTF-8", "UTF-16").encode(),  # declared UTF-16, written in UTF-8
    ],
    ids=[
        "le-bom",
        "be-bom",
        "le-bom-undeclared",
        "be-bom-undeclared",
        "le-declared",
        "be-declared",
        "le-bom-whitespace",
        "be-whitespace",
        "utf-32",
        "utf-8-bom",
        "windows-1252",
        "shift-jis",
        "utf-16-declared-utf-8-written",
    ],
)
def test_gpx_in_any_encoding_reads_like_utf8(data):
    expected = parse_activity("run.gpx", make_gpx())
    assert parse_activity("run.gpx", data) == expected
    assert parse_activity("run.gpx.gz", gz(data)) == replace(expected, filename="run.gpx.gz")


def test_utf16_tcx_reads_too():
    text = make_tcx().decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    assert parse_activity("x.tcx", codecs.BOM_UTF16_LE + text.encode("utf-16-le")).distance_km == 0.6


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (codecs.BOM_UTF16_LE + make_gpx().decode().encode("utf-16-le")[:-1], "not valid UTF-16-LE"),
        (
            make_gpx().replace(b"UTF-8", b"klingon-8"),
            "its text encoding (klingon-8) is not one this app reads",
        ),
        (make_gpx().replace(b"UTF-8", b"Shift_JIS") + b"\x82", "not valid SHIFT-JIS"),
    ],
)
def test_text_that_cannot_be_decoded_is_refused_in_words(data, reason):
    refused = refusal(data)
    assert reason in refused and refused.endswith("Export it again from your watch's app and upload that")


def test_a_web_page_is_not_an_activity_and_is_refused_at_once():
    page = b"<!DOCTYPE html><html><body>" + b"<p>x</p>" * 100_000 + b"</body></html>"
    assert refusal(page) == importing.NOT_ACTIVITY
    assert refusal(b"<html>" + b"<p>x</p>" * 100_000 + b"</html>") == importing.NOT_ACTIVITY


def test_own_tcx_file(tmp_path):
    path = write(tmp_path, "run.tcx", make_tcx(leading="\n          "))
    activity = parse_activity(path.name, path.read_bytes())
    assert activity == Activity(
        filename="run.tcx",
        sport="running",
        started_at=START,
        distance_km=0.6,
        duration_min=175 / 60,  # 85 s + 90 s of laps
        elapsed_min=3.0,  # start to the last trackpoint
        avg_heart_rate_bpm=140,
        avg_temperature_c=None,
        has_gps=True,
        source_format="tcx",
    )


@pytest.mark.parametrize(
    ("factory", "fmt"),
    [(make_fit, "fit"), (make_gpx, "gpx"), (make_tcx, "tcx")],
)
def test_format_by_content_and_gzip(factory, fmt):
    data = factory()
    assert parse_activity("misnamed.txt", data).source_format == fmt
    assert parse_activity("run.gz", gz(data)).source_format == fmt


def test_tcx_biking_is_cycling():
    assert parse_activity("x.tcx", make_tcx(sport="Biking")).sport == "cycling"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Run", "running"),
        ("Trail Run", "trail_running"),
        ("trail-running", "trail_running"),
        ("Virtual Run", "running"),
        ("Ride", "cycling"),
        ("Biking", "cycling"),
        ("Walk", "walking"),
        ("Hike", "hiking"),
        ("Rowing", "rowing"),
        ("", None),
        ("   ", None),
        (None, None),
        (9, None),
    ],
)
def test_normalise_sport(raw, expected):
    assert normalise_sport(raw) == expected


# --- 3. refusals -------------------------------------------------------------------------

AGAIN = "Export it again from your watch's app and upload that"
RECORDED = "Export the recorded activity from your watch's app and upload that"
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE gpx [\n<!ENTITY lol "lol">\n'
    + b"".join(
        b'<!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<gpx version="1.1"><trk><name>&lol9;</name></trk></gpx>\n'
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?>\n<!DOCTYPE TrainingCenterDatabase [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<TrainingCenterDatabase><Activities><Activity Sport="Running"><Id>&xxe;</Id>'
    b"</Activity></Activities></TrainingCenterDatabase>"
)


REFUSALS = [
    (b"", importing.EMPTY),
    (b"  \n\t ", importing.EMPTY),
    (random.Random(7).randbytes(4096), importing.NOT_ACTIVITY),
    (b"Morning run, 10 km, felt fine.\n", importing.NOT_ACTIVITY),
    (b"<html><body>not a track</body></html>", importing.NOT_ACTIVITY),
    (b'{"type": "FeatureCollection"}', importing.NOT_ACTIVITY),
    (BILLION_LAUGHS, importing.DOCTYPE),
    (EXTERNAL_ENTITY, importing.DOCTYPE),
    (
        b'<gpx version="1.1"><wpt lat="1" lon="1"/></gpx>',
        "the GPX file has no track points (a route or waypoints are no recorded run). " + RECORDED,
    ),
    (
        b'<gpx version="1.1"><trk><trkseg><trkpt lat="1" lon="1"/></trkseg></trk></gpx>',
        "the GPX track has no times, so the start is unknown (a route drawn on a map has none). " + RECORDED,
    ),
    (b'<gpx version="1.1"><trk><trkseg><trkpt lat="1"', importing.XML_CUT_SHORT),
    (
        b"<TrainingCenterDatabase><Activities/></TrainingCenterDatabase>",
        "the TCX file holds no recorded activity. " + RECORDED,
    ),
    (
        b"<TrainingCenterDatabase><Folders></Nope></TrainingCenterDatabase>",
        "the file is damaged: it is not well-formed XML (line 1). "
        "Export it again from your watch's app and upload that",
    ),
    (gz(b"")[:-4], "the compressed file is cut short. " + AGAIN),
    (b"\x1f\x8b\x08\x00garbage-garbage", "the compressed file is damaged. " + AGAIN),
    (b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT", importing.CUT_SHORT),
]


@pytest.mark.parametrize(
    ("data", "reason"),
    REFUSALS,
    ids=lambda v: v[:24].decode("latin-1") if isinstance(v, bytes) else None,
)
def test_refusals(data, reason):
    assert refusal(data) == reason


FORBIDDEN_IN_REFUSALS = re.compile(r"[A-Z][a-z]+Error|Exception|_[a-z]+_")


def all_refusals(inputs) -> set[str]:
    reasons = set()
    for data in inputs:
        try:
            parse_activity("upload", data)
        except ImportRefused as refused:
            reasons.add(refused.reason)
    return reasons


def test_no_refusal_names_an_exception_or_a_code_name(samples_dir):
    """Over the refusal table, every sample cut and damaged, and random bytes, no reason names a
    Python exception or a field's code name; each says what to do or is plain (not a FIT, GPX
    or TCX file; empty; larger than the limit)."""
    rng = random.Random(2)
    inputs = [data for data, _ in REFUSALS]
    for name in ALL_SAMPLES:
        data = (samples_dir / name).read_bytes()
        inputs += [data[:cut] for cut in (5, 12, 20, 40, len(data) // 3)]
        # fitdecode reads a whole FIT sample before its checksum refuses it: fewer of those
        for _ in range(10 if name.endswith(".fit") else 40):
            damaged = bytearray(data)
            for _ in range(rng.randint(1, 4)):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
            inputs.append(bytes(damaged))
    inputs += [
        b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + rng.randbytes(rng.randint(0, 300)) for _ in range(200)
    ]
    inputs += [rng.randbytes(rng.randint(1, 300)) for _ in range(200)]
    reasons = all_refusals(inputs)
    assert len(reasons) >= 12  # the corpus meets many of them
    for reason in reasons:
        assert not FORBIDDEN_IN_REFUSALS.search(reason), reason
        assert reason == reason.strip() and not reason.endswith(".")  # the page adds the full stop


@pytest.mark.parametrize(
    "error", [KeyError, ValueError, IndexError, struct.error, ZeroDivisionError, MemoryError]
)
@pytest.mark.parametrize("data", [make_fit(), make_gpx(), make_tcx()], ids=["fit", "gpx", "tcx"])
def test_a_parser_surprise_never_names_itself(monkeypatch, error, data):
    def surprise(*args, **kwargs):
        raise error("surprise")

    monkeypatch.setattr(importing, "_parse_time", surprise)  # GPX and TCX
    monkeypatch.setattr(importing._FitSummary, "add", surprise)  # FIT
    assert refusal(data) == importing.UNREADABLE


def test_fit_with_a_flipped_body_byte_fails_its_checksum():
    data = bytearray(make_fit())
    data[40] ^= 0xFF
    assert refusal(bytes(data)) == importing.BAD_CRC


def test_oversize_file(monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1000)
    assert refusal(make_tcx()) == "larger than 0.000953674 MB"
    # and the same limit applies once a small gzip is unpacked
    small = gz(make_tcx())
    assert len(small) < 1000
    assert refusal(small, "run.tcx.gz") == "larger than 0.000953674 MB once uncompressed"


def test_gzip_bomb_stops_at_the_limit(monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1024 * 1024)
    bomb = gz(b"<" + b" " * (20 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024
    assert refusal(bomb).endswith("once uncompressed")


def test_an_unexpected_parser_error_becomes_a_refusal(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("surprise")

    monkeypatch.setattr(importing, "_parse_time", broken)
    reason = refusal(make_tcx())
    assert reason == importing.UNREADABLE
    assert reason == (
        "the file could not be read as a FIT, GPX or TCX file. "
        "Export it again from your watch's app and upload that"
    )


# --- 4. archives -------------------------------------------------------------------------


def ride_fit() -> bytes:
    return make_fit(sport=Sport.CYCLING, start=START + timedelta(days=4))


def strava_row(activity_id: str, name: str, kind: str, filename: str) -> dict[str, str]:
    return {"Activity ID": activity_id, "Activity Name": name, "Activity Type": kind, "Filename": filename}


def strava_export() -> bytes:
    bad = make_fit()[:-30]
    rows = [
        strava_row("1", "Morning Run", "Run", "activities/1.gpx"),
        strava_row("2", "Hill, trail", "Trail Run", "activities/2.tcx.gz"),
        strava_row("3", "Treadmill\nwith a newline", "Virtual Run", "activities/3.fit"),
        strava_row("4", "Broken", "Run", "activities/4.fit"),
        strava_row("5", "Commute", "Ride", "activities/5.fit"),
        strava_row("6", "Manual entry", "Run", ""),
    ]
    return make_zip(
        {
            "activities.csv": strava_csv(rows),
            "activities/": b"",
            "activities/1.gpx": make_gpx(sport=None),
            "activities/2.tcx.gz": gz(make_tcx(start=START + timedelta(days=1))),
            "activities/3.fit": make_fit(start=START + timedelta(days=2), sport=Sport.GENERIC),
            "activities/4.fit": bad,
            "activities/5.fit": ride_fit(),
            "media/photo.jpg": b"\xff\xd8\xff\xe0 not really",
            "profile.csv": b"a,b\n1,2\n",
            "__MACOSX/activities/._1.gpx": b"\x00\x05\x16\x07",
        }
    )


@dataclass(frozen=True)
class Item:
    """One activity file of an archive as an import job sees it: read, then parsed."""

    member: ArchiveMember
    activity: Activity | None
    refused: str | None

    @property
    def name(self) -> str:
        return self.member.name

    @property
    def is_run(self) -> bool:
        return not_a_run(self.activity, self.member.csv_type) is None


def read_archive(filename: str, data: bytes) -> list[Item]:
    """Every activity file of a zip, read by read_members and parsed by parse_activity, as
    checkins.transfer.import_jobs does (the archive is checked as a whole first)."""
    items = []
    for member in read_members(filename, data):
        activity, refused = None, member.refused
        if member.data is not None:
            try:
                activity = parse_activity(member.name, member.data)
            except ImportRefused as error:
                refused = error.reason
        items.append(Item(member, activity, refused))
    return items


def test_strava_export():
    items = read_archive("export.zip", strava_export())
    assert [item.name for item in items] == [
        "activities/1.gpx",
        "activities/2.tcx.gz",
        "activities/3.fit",
        "activities/4.fit",
        "activities/5.fit",
    ]
    by_name = {item.name: item for item in items}
    one, two, three, four, five = items
    assert (one.member.csv_name, one.member.csv_type) == ("Morning Run", "Run")
    assert one.activity.source_format == "gpx"
    # the CSV type decides
    assert one.activity.sport is None and one.is_run and sport_of(one.activity, "Run") == "running"
    assert (two.member.csv_name, two.activity.sport, two.activity.started_at) == (
        "Hill, trail",
        "running",
        START + timedelta(days=1),
    )
    assert three.member.csv_name == "Treadmill\nwith a newline"
    assert three.is_run and three.activity.sport is None
    # cut before its session, as a watch leaves a file when its battery dies: the records count
    assert four.refused is None and four.member.csv_name == "Broken"
    assert (four.activity.distance_km, four.activity.duration_min, four.activity.sport) == (0.6, 3.0, None)
    assert five.activity.sport == "cycling" and five.member.csv_type == "Ride"
    assert not five.is_run and sport_of(five.activity, "Ride") == "cycling"
    assert [item.is_run for item in items] == [True, True, True, True, False]
    assert all(item.refused is None for item in items)
    assert by_name["activities/2.tcx.gz"].activity.distance_km == 0.6


def test_read_members_gives_checked_bytes_unparsed(monkeypatch):
    members = list(read_members("export.zip", strava_export()))
    assert [(m.name, m.csv_type, m.refused) for m in members] == [
        ("activities/1.gpx", "Run", None),
        ("activities/2.tcx.gz", "Trail Run", None),
        ("activities/3.fit", "Virtual Run", None),
        ("activities/4.fit", "Run", None),  # damaged, but only parsing tells
        ("activities/5.fit", "Ride", None),
    ]
    assert members[0].data == make_gpx(sport=None)
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 400)
    (big,) = read_members("x.zip", make_zip({"big.gpx": make_gpx()}))
    assert big.data is None and big.refused.startswith("larger than")
    with pytest.raises(ImportRefused, match="outside its folder"):
        read_members("x.zip", make_zip({"../a.gpx": make_gpx()}))


def test_plain_zip_without_csv():
    data = make_zip({"runs/a.gpx": make_gpx(), "runs/b.tcx": make_tcx(), "notes.txt": b"hi"})
    items = read_archive("runs.zip", data)
    assert [(i.name, i.activity.source_format, i.member.csv_name, i.is_run) for i in items] == [
        ("runs/a.gpx", "gpx", None, True),
        ("runs/b.tcx", "tcx", None, True),
    ]


def test_csv_matched_by_activity_id_when_filename_missing():
    csv_rows = [{"Activity ID": "77", "Activity Name": "Parkrun", "Activity Type": "Run"}]
    data = make_zip({"activities.csv": strava_csv(csv_rows), "activities/77.fit.gz": gz(make_fit())})
    (item,) = read_archive("export.zip", data)
    assert (item.member.csv_name, item.activity.distance_km) == ("Parkrun", 0.6)


@pytest.mark.parametrize(
    "evil", ["../evil.gpx", "/abs.gpx", "C:/runs/x.gpx", "a/../../x.gpx", "a\\..\\..\\x.gpx"]
)
def test_path_outside_the_archive_refuses_it_all(evil):
    data = make_zip({"activities/1.gpx": make_gpx(), evil: make_gpx()})
    with pytest.raises(ImportRefused, match="outside its folder"):
        read_members("export.zip", data)


def test_zip_bomb_member_is_refused_others_parse():
    bomb = b"\0" * (50 * 1024 * 1024)
    data = make_zip({"a.gpx": make_gpx(), "bomb.fit": bomb})
    assert len(data) < 200 * 1024
    items = {item.name: item for item in read_archive("x.zip", data)}
    assert items["bomb.fit"].refused == importing.ZIP_BOMB
    assert items["bomb.fit"].refused.startswith("compressed suspiciously well (a possible zip bomb)")
    assert items["a.gpx"].activity is not None


def test_zip_declared_total_over_the_limit(monkeypatch):
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 10 * 1024 * 1024)
    data = make_zip({f"{i}.gpx": b"<" * (3 * 1024 * 1024) for i in range(4)})
    with pytest.raises(ImportRefused, match="unpacks to more than 10 MB"):
        read_members("x.zip", data)


def test_zip_actually_read_total_is_capped(monkeypatch):
    data = make_zip({f"{i}.tcx": make_tcx() for i in range(4)})
    members = read_members("x.zip", data)  # the declared sizes pass the check...
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", len(make_tcx()) * 2 + 10)
    members = list(members)  # ...and what is actually read is capped as it is read
    assert [member.data is not None for member in members] == [True, True, False, False]
    assert members[3].refused.startswith("the archive unpacks to more than")


def test_member_over_the_file_limit(monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 1000)
    data = make_zip({"big.tcx": make_tcx(), "small.gpx.gz": gz(make_tcx())}, compression=zipfile.ZIP_STORED)
    items = {item.name: item for item in read_archive("x.zip", data)}
    assert items["big.tcx"].refused.startswith("larger than")
    assert items["small.gpx.gz"].refused.endswith("once uncompressed")


def test_too_many_members(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ZIP_MEMBERS", 3)
    data = make_zip({f"{i}.gpx": make_gpx() for i in range(4)})
    with pytest.raises(ImportRefused, match="more than 3 files"):
        read_members("x.zip", data)


@pytest.mark.parametrize("data", [b"", b"not a zip", make_gpx(), b"PK\x03\x04broken"])
def test_not_a_zip(data):
    with pytest.raises(ImportRefused, match="not a zip archive"):
        read_members("x.zip", data)


def test_zip_too_large(monkeypatch):
    monkeypatch.setattr(importing, "MAX_ZIP_BYTES", 100)
    with pytest.raises(ImportRefused, match="archive is larger than"):
        read_members("x.zip", make_zip({"a.gpx": make_gpx()}))


# --- 5. fuzzing --------------------------------------------------------------------------

FUZZ_SAMPLES = (
    "fit-garmin-fenix6s-run-with-temperature.fit",
    "fit-wahoo-elemntbolt-ride-short-with-temperature.fit",
    "fit-corrupt-bad-crc.fit",
    "gpx-garmin-connect-run-with-hr.gpx",
    "tcx-garmin-fr405-run-no-gps-footpod.tcx",
    "tcx-scrubbed-run-leading-whitespace.tcx.gz",
)
OWN = {
    "fit": make_fit(),
    "fit-no-session": make_fit(with_session=False),
    "gpx": make_gpx(),
    "tcx": make_tcx(),
    "tcx.gz": gz(make_tcx()),
}

mutation = st.one_of(
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("set"), st.floats(0, 1), st.integers(0, 255)),
    st.tuples(st.just("cut"), st.floats(0, 1), st.just(0)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.binary(min_size=1, max_size=16)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 64)),
)


def mutate(data: bytes, mutations, fix_crc: bool) -> bytes:
    out = bytearray(data)
    for kind, where, arg in mutations:
        at = min(int(where * len(out)), max(len(out) - 1, 0))
        if kind == "flip" and out:
            out[at] ^= arg
        elif kind == "set" and out:
            out[at] = arg
        elif kind == "cut":
            del out[at:]
        elif kind == "insert":
            out[at:at] = arg
        elif kind == "delete":
            del out[at : at + arg]
    if fix_crc and len(out) >= 16 and out[8:12] == b".FIT":
        # Make the damage pass the checksums, so that the decoder meets it head on.
        if out[0] == 14:
            out[12:14] = struct.pack("<H", compute_crc(bytes(out[:12])))
        out[-2:] = struct.pack("<H", compute_crc(bytes(out[:-2])))
    return bytes(out)


def parse_or_refuse(name: str, data: bytes) -> None:
    try:
        result = parse_activity(name, data)
    except ImportRefused as exc:
        assert isinstance(exc.reason, str) and exc.reason
    else:
        assert isinstance(result, Activity)
        assert result.started_at.tzinfo is not None


@pytest.fixture(scope="module")
def fuzz_seeds(samples_dir) -> dict[str, bytes]:
    return {name: (samples_dir / name).read_bytes() for name in FUZZ_SAMPLES}


@pytest.mark.slow
@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(FUZZ_SAMPLES),
    mutations=st.lists(mutation, min_size=1, max_size=4),
    fix_crc=st.booleans(),
)
def test_fuzz_real_samples(fuzz_seeds, name, mutations, fix_crc):
    parse_or_refuse(name, mutate(fuzz_seeds[name], mutations, fix_crc))


@pytest.mark.slow
@settings(max_examples=200, deadline=2000)
@given(
    name=st.sampled_from(sorted(OWN)),
    mutations=st.lists(mutation, min_size=1, max_size=4),
    fix_crc=st.booleans(),
)
def test_fuzz_own_fixtures(name, mutations, fix_crc):
    parse_or_refuse(name, mutate(OWN[name], mutations, fix_crc))


@pytest.mark.slow
@settings(max_examples=200, deadline=2000)
@given(data=st.binary(max_size=512))
def test_fuzz_arbitrary_bytes(data):
    parse_or_refuse("upload", data)
    parse_or_refuse("upload", b"\x0e\x10\x00\x00\x00\x00\x00\x00.FIT" + data)


# --- 6. duplicates -----------------------------------------------------------------------

BASE = utc(2024, 5, 4, 7, 30)


@pytest.mark.parametrize(
    ("offset", "existing", "expected"),
    [
        (timedelta(0), [BASE], True),
        (timedelta(seconds=119), [BASE], True),
        (timedelta(minutes=2), [BASE], True),  # the window is inclusive
        (-timedelta(minutes=2), [BASE], True),
        (timedelta(minutes=2, seconds=1), [BASE], False),
        (-timedelta(minutes=3), [BASE], False),
        (timedelta(0), [], False),
        # unsorted, the match neither first nor last
        (timedelta(hours=5, seconds=30), [BASE + timedelta(days=1), BASE, BASE + timedelta(hours=5)], True),
        (timedelta(hours=3), [BASE + timedelta(days=1), BASE, BASE + timedelta(hours=5)], False),
    ],
)
def test_is_duplicate(offset, existing, expected):
    assert is_duplicate(BASE + offset, existing) is expected


def test_is_duplicate_custom_window_and_naive_times():
    assert is_duplicate(BASE, [BASE + timedelta(minutes=9)], window=timedelta(minutes=10))
    assert is_duplicate(BASE.replace(tzinfo=None), [BASE])


# --- is it a run? one rule ---------------------------------------------------------------

RUNNING_SAMPLES = sorted(name for name, row in EXPECTED.items() if row[-1] in importing.RUNNING_SPORTS)


def test_the_gpsbabel_hike_is_not_a_run(samples_dir):
    """GPSBabel writes no sport; 4.6 km in 71 moving minutes (15:26 min/km) is a walk's pace."""
    name = "gpx-gpsbabel-hike-no-hr-multitrack.gpx"
    hike = parse_activity(name, (samples_dir / name).read_bytes())
    assert hike.sport is None  # the file says nothing: the pace decides
    assert not_a_run(hike) is not None
    assert re.fullmatch(
        r"no sport in the file, and 15:[23]\d min/km is a walking pace", importing.not_a_run(hike)
    )
    why = importing.not_a_run(hike, miles=True)
    assert re.fullmatch(r"no sport in the file, and 24:[45]\d min/mi is a walking pace", why)
    # In an archive without a CSV, the same rule.
    (item,) = read_archive("old.zip", make_zip({"hike.gpx": (samples_dir / name).read_bytes()}))
    assert not item.is_run
    # The runner's own label (a Strava export's type) still decides.
    assert importing.not_a_run(hike, "Run") is None
    assert importing.not_a_run(hike, "Hike") == "hike"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_sample_is_a_run_exactly_when_it_is_one(samples_dir, name):
    activity = parse_activity(name, (samples_dir / name).read_bytes())
    assert (not_a_run(activity) is None) is (name in RUNNING_SAMPLES)


@pytest.mark.parametrize("name", RUNNING_SAMPLES)
def test_a_real_run_whose_file_names_no_sport_is_still_a_run(samples_dir, name):
    activity = replace(parse_activity(name, (samples_dir / name).read_bytes()), sport=None)
    assert importing.not_a_run(activity) is None


def activity(km: float | None, minutes: float | None, sport: str | None = None) -> Activity:
    return Activity(
        filename="x.gpx",
        sport=sport,
        started_at=START,
        distance_km=km,
        duration_min=minutes,
        elapsed_min=minutes,
        avg_heart_rate_bpm=None,
        avg_temperature_c=None,
        has_gps=True,
        source_format="gpx",
    )


@pytest.mark.parametrize(
    ("km", "minutes", "sport", "label", "is_run"),
    [
        (10.0, 50.0, None, None, True),  # 5:00 min/km
        (5.0, 55.0, None, None, True),  # 11:00 min/km: a slow run-walk is still a run
        (5.0, 62.0, None, None, False),  # 12:24 min/km: a walk
        (0.6, 12.0, None, None, True),  # too short to judge: taken as a run
        (None, 60.0, None, None, True),  # no distance: taken as a run
        (20.0, 40.0, None, None, False),  # 2:00 min/km over 20 km: a ride
        (1.5, 3.3, None, None, True),  # 2:12 min/km over 1.5 km: a fast run is not judged a ride
        (5.0, 80.0, "running", None, True),  # the file's sport wins over the pace
        (10.0, 50.0, "walking", None, False),
        (10.0, 50.0, "hiking", None, False),
        (10.0, 50.0, "cycling", "Run", True),  # the runner's label wins over the file
        (10.0, 50.0, "running", "Ride", False),
        (10.0, 50.0, None, "Trail Run", True),
        (10.0, 50.0, None, "Virtual Run", True),
        (10.0, 50.0, None, "Walk", False),
        (10.0, 50.0, "running", "???", True),  # a label that is no sport: the file decides
    ],
)
def test_one_rule_for_is_this_a_run(km, minutes, sport, label, is_run):
    subject = activity(km, minutes, sport)
    assert (importing.not_a_run(subject, label) is None) is is_run


def test_a_file_that_cannot_be_read_follows_its_label():
    assert importing.not_a_run(None, "Run") is None
    assert importing.not_a_run(None, "Ride") == "ride"
    assert importing.not_a_run(None) == "nothing in the file says what it is"


def test_a_walk_written_as_a_gpx_without_a_sport_is_skipped_and_a_run_is_kept():
    walk = tuple(Point(i * 90, i * 100.0, None, None, 52.0 + i * 0.0009, 4.0) for i in range(13))
    parsed = parse_activity("walk.gpx", make_gpx(points=walk, sport=None))
    assert parsed.distance_km == pytest.approx(1.2, rel=0.02) and parsed.duration_min == pytest.approx(18)
    assert not_a_run(parsed) is not None
    run = tuple(Point(i * 30, i * 100.0, None, None, 52.0 + i * 0.0009, 4.0) for i in range(13))
    assert not_a_run(parse_activity("run.gpx", make_gpx(points=run, sport=None))) is None
