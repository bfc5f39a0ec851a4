"""The project's own activity fixtures: small FIT, GPX and TCX files and zips of them,
written by the tests themselves (nothing copied from elsewhere). Each builder returns
bytes; `write` puts them in a test's tmp_path when a real file is wanted.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport, SubSport

START = datetime(2024, 5, 4, 7, 30, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Point:
    """One sample: seconds after the start, cumulative metres, heart rate, °C, position."""

    seconds: int
    metres: float
    hr: int | None = None
    temp: int | None = None
    lat: float | None = 52.0
    lon: float | None = 4.0


# Four points, 3 minutes, 600 m; heart rate averages 140, temperature 12.
POINTS = (
    Point(0, 0.0, 130, 12, 52.0000, 4.0000),
    Point(60, 200.0, 138, 12, 52.0018, 4.0000),
    Point(120, 400.0, 142, 12, 52.0036, 4.0000),
    Point(180, 600.0, 150, 12, 52.0054, 4.0000),
)


def _ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


def make_fit(
    *,
    start: datetime = START,
    points: tuple[Point, ...] = POINTS,
    sport: Sport = Sport.RUNNING,
    sub_sport: SubSport = SubSport.GENERIC,
    total_distance: float | None = 600.0,
    timer_time: float | None = 170.0,
    elapsed_time: float | None = 180.0,
    avg_heart_rate: int | None = 141,
    avg_temperature: int | None = None,
    with_session: bool = True,
    file_type: FileType = FileType.ACTIVITY,
) -> bytes:
    """A FIT activity: FileId, timer events, Records, one Lap, a Session and Activity."""
    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    end = start + timedelta(seconds=points[-1].seconds if points else 0)

    file_id = FileIdMessage()
    file_id.type = file_type
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.time_created = _ms(start)
    file_id.serial_number = 0x1234
    builder.add(file_id)

    event = EventMessage()
    event.event = Event.TIMER
    event.event_type = EventType.START
    event.timestamp = _ms(start)
    builder.add(event)

    for point in points:
        record = RecordMessage()
        record.timestamp = _ms(start + timedelta(seconds=point.seconds))
        record.distance = point.metres
        if point.lat is not None and point.lon is not None:
            record.position_lat = point.lat
            record.position_long = point.lon
        if point.hr is not None:
            record.heart_rate = point.hr
        if point.temp is not None:
            record.temperature = point.temp
        builder.add(record)

    event = EventMessage()
    event.event = Event.TIMER
    event.event_type = EventType.STOP_ALL
    event.timestamp = _ms(end)
    builder.add(event)

    lap = LapMessage()
    lap.timestamp = _ms(end)
    lap.start_time = _ms(start)
    lap.total_elapsed_time = elapsed_time
    lap.total_timer_time = timer_time
    lap.total_distance = total_distance
    builder.add(lap)

    if with_session:
        session = SessionMessage()
        session.timestamp = _ms(end)
        session.start_time = _ms(start)
        session.sport = sport
        session.sub_sport = sub_sport
        if total_distance is not None:
            session.total_distance = total_distance
        if timer_time is not None:
            session.total_timer_time = timer_time
        if elapsed_time is not None:
            session.total_elapsed_time = elapsed_time
        if avg_heart_rate is not None:
            session.avg_heart_rate = avg_heart_rate
        if avg_temperature is not None:
            session.avg_temperature = avg_temperature
        session.first_lap_index = 0
        session.num_laps = 1
        builder.add(session)

    activity = ActivityMessage()
    activity.timestamp = _ms(end)
    activity.total_timer_time = timer_time
    activity.num_sessions = 1
    builder.add(activity)
    return builder.build().to_bytes()


def make_gpx(
    *, start: datetime = START, points: tuple[Point, ...] = POINTS, sport: str | None = "running"
) -> bytes:
    """A GPX 1.1 track with Garmin TrackPointExtension (gpxtpx) heart rate and temperature."""
    rows = []
    for point in points:
        when = (start + timedelta(seconds=point.seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ext = []
        if point.hr is not None:
            ext.append(f"<gpxtpx:hr>{point.hr}</gpxtpx:hr>")
        if point.temp is not None:
            ext.append(f"<gpxtpx:atemp>{point.temp}</gpxtpx:atemp>")
        extensions = (
            f"<extensions><gpxtpx:TrackPointExtension>{''.join(ext)}</gpxtpx:TrackPointExtension></extensions>"
            if ext
            else ""
        )
        rows.append(
            f'<trkpt lat="{point.lat}" lon="{point.lon}"><ele>10</ele><time>{when}</time>{extensions}</trkpt>'
        )
    kind = f"<type>{sport}</type>" if sport else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="aftermath tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
        f"<trk><name>Test run</name>{kind}<trkseg>\n" + "\n".join(rows) + "\n</trkseg></trk></gpx>\n"
    ).encode()


def make_tcx(*, start: datetime = START, sport: str = "Running", leading: str = "") -> bytes:
    """A TCX activity of two laps (300 m in 85 s, then 300 m in 90 s) and 4 trackpoints."""
    laps = ((0, 85.0, 300.0, POINTS[:2]), (90, 90.0, 300.0, POINTS[2:]))
    body = []
    for offset, seconds, metres, points in laps:
        tps = []
        for point in points:
            when = (start + timedelta(seconds=point.seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
            tps.append(
                f"<Trackpoint><Time>{when}</Time><Position><LatitudeDegrees>{point.lat}</LatitudeDegrees>"
                f"<LongitudeDegrees>{point.lon}</LongitudeDegrees></Position>"
                f"<DistanceMeters>{point.metres}</DistanceMeters>"
                f"<HeartRateBpm><Value>{point.hr}</Value></HeartRateBpm></Trackpoint>"
            )
        lap_start = (start + timedelta(seconds=offset)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body.append(
            f'<Lap StartTime="{lap_start}"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>'
            f"<DistanceMeters>{metres}</DistanceMeters><Intensity>Active</Intensity>"
            f"<TriggerMethod>Manual</TriggerMethod><Track>{''.join(tps)}</Track></Lap>"
        )
    ident = start.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return (
        f'{leading}<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{ident}</Id>{"".join(body)}</Activity>'
        "</Activities></TrainingCenterDatabase>\n"
    ).encode()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def strava_csv(rows: list[dict[str, str]]) -> bytes:
    """activities.csv as Strava writes it: many columns, some headings repeated."""
    headings = [
        "Activity ID",
        "Activity Date",
        "Activity Name",
        "Activity Type",
        "Activity Description",
        "Elapsed Time",
        "Distance",
        "Max Heart Rate",
        "Relative Effort",
        "Commute",
        "Activity Private Note",
        "Activity Gear",
        "Filename",
        "Athlete Weight",
        "Bike Weight",
        "Elapsed Time",
        "Moving Time",
        "Distance",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headings])
    return out.getvalue().encode()


def make_zip(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 5, 4, 12, 0, 0))
            info.compress_type = compression
            zf.writestr(info, data)
    return buffer.getvalue()


def write(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path
