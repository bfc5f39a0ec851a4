"""Helpers shared by the test modules; fixtures live in conftest.py, rows in factories.py.

- Pages as HTML: a small tree of a page (Tree, parse, main_of), its headings.
- Check-in bodies: a valid check-in as a browser posts it (also loadtest's body).
- The app's URLs, enumerated from the URLconf.
- Watch files: small FIT, GPX and TCX files and zips of them, written by the tests
  themselves (nothing copied from elsewhere); `write` puts one in a test's tmp_path.
- The browser: Debian's Chromium, launched the same way by the browser tests and the
  benchmark, the screenshots' folder, and logging in through the log-in page.
- Web Push: a push endpoint on 127.0.0.1 (PushService), a browser's subscription that
  decrypts what it gets (Browser, RFC 8291), and checking a VAPID signature (RFC 8292).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import functools
import gzip
import io
import itertools
import json
import os
import re
import shutil
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from fit_tool.fit_file_builder import FitFileBuilder
from fit_tool.profile.messages.activity_message import ActivityMessage
from fit_tool.profile.messages.event_message import EventMessage
from fit_tool.profile.messages.file_id_message import FileIdMessage
from fit_tool.profile.messages.lap_message import LapMessage
from fit_tool.profile.messages.record_message import RecordMessage
from fit_tool.profile.messages.session_message import SessionMessage
from fit_tool.profile.profile_type import Event, EventType, FileType, Manufacturer, Sport, SubSport

# --- Reading pages as HTML ------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict, parent: Element | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Element] = []
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def walk(self):
        for child in self.children:
            yield child
            yield from child.walk()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs) -> list[Element]:
        return [
            el
            for el in self.walk()
            if (tag is None or el.tag == tag)
            and (cls is None or cls in el.classes)
            and all(el.attrs.get(name.replace("_", "-")) == value for name, value in attrs.items())
        ]

    def find(self, tag: str | None = None, **kwargs) -> Element:
        found = self.find_all(tag, **kwargs)
        assert found, f"no <{tag}> {kwargs}"
        return found[0]

    def has_ancestor(self, cls: str) -> bool:
        node = self.parent
        while node is not None:
            if cls in node.classes:
                return True
            node = node.parent
        return False


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#root", {}, None)
        self.open = [self.root]
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        el = Element(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(el)
        if tag not in VOID:
            self.open.append(el)

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                return

    def handle_data(self, data):
        for el in self.open:
            el.parts.append(data)


def parse(response) -> Element:
    assert response.status_code == 200, response.status_code
    return Tree(response.content.decode()).root


def main_of(response) -> Element:
    return parse(response).find("main")


def input_value(html: str, name: str) -> str:
    """The value the page's input of this name shows."""
    return Tree(html).root.find("input", name=name).attrs.get("value", "")


def headings(root: Element) -> list[tuple[int, str]]:
    return [(int(el.tag[1]), el.text) for el in root.walk() if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]


def assert_headings_in_order(root: Element, first: int = 1) -> None:
    levels = [level for level, _ in headings(root)]
    assert levels and levels[0] == first, headings(root)
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, headings(root)


# --- Check-in bodies --------------------------------------------------------------------


def checkin_form(key: str | None = None) -> dict:
    """A valid check-in: a hot, long run with twitching calves and a dry throat, started two
    hours ago (UTC). The load tests (loadtest/) post it too."""
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    return {
        "idempotency_key": key or str(uuid.uuid4()),
        "started_at": started.strftime("%Y-%m-%dT%H:%M"),
        "distance": "14",
        "duration_min": "85",
        "effort": "6",
        "run_type": "long",
        "temperature": "31",
        "humidity_pct": "40",
        "fluid": "250",
        "electrolytes_during": "no",
        "carbs_before_g": "0",
        "cooldown": "none",
        "twitching": "yes",
        "muscles": ["calves"],
        "intensity": "5",
        "cramps": "no",
        "symptoms": ["thirst"],
        "urine_color": "6",
    }


def checkin_post(**overrides) -> dict:
    """checkin_form() starting now in the runner's zone, with `overrides` (None leaves one out)."""
    data = {**checkin_form(), "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- The app's URLs ---------------------------------------------------------------------

# Pages anyone may open (the landing page, and the account pages before logging in).
PUBLIC = {
    "home",
    "signup",
    "signup_done",
    "signup_confirm",
    "login",
    "login_code",  # the log-in's second step: sends back to the first without one
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "logout",
    "healthz",
    "api_docs",  # a redirect to the API's docs, which describe it to anyone
    "shared_report",  # a share link's report, to whoever has the link (tests/test_share_links.py)
    "reminder_unsubscribe",  # a reminder e-mail's signed one-click link: works without logging in
    "service_worker",  # the same script for everyone (checkins.offline)
    "offline_page",  # the same page for everyone, kept on the phone
    "outbox_token",  # says who is logged in (or nobody) and hands out a CSRF token
}


def app_patterns(resolver=None, prefix: str = ""):
    """(route, name) of every named pattern outside the admin and the versioned API (which
    answers with status codes, not log-in pages: tests/api/ covers each of its operations)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith(("admin/", "api/v1/")):
                continue
            yield from app_patterns(entry, route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield route, entry.name


@functools.cache
def url_patterns() -> list[tuple[str, str]]:
    """(route, name) of every named pattern outside the admin, sorted (read once)."""
    return sorted(set(app_patterns()))


def concrete(route: str, pk: int) -> str:
    return "/" + route.replace("<int:pk>", str(pk)).lstrip("^").rstrip("$")


# --- Watch files ------------------------------------------------------------------------

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


# --- The browser ------------------------------------------------------------------------

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots, kept by CI
# No sandbox (containers, root in CI), no GPU, and nothing that phones home.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    """$CHROMIUM, else Debian's chromium on the PATH (apt-get install -y chromium)."""
    return os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def phone_page(browser, browser_context_args, live_server, runner, scheme: str):
    """A phone-sized page in `scheme` ("light" or "dark") with `runner` logged in; close its
    context when done (page.context.close())."""
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, runner)
    page.runner, page.scheme, page.base = runner, scheme, live_server.url
    return page


def log_in(page, base_url: str, user, password: str | None = None) -> None:
    """Log `user` in through the log-in page, as a runner does."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    page.goto(base_url + "/accounts/login/")
    page.get_by_label(re.compile("E-mail")).fill(user.email)
    page.get_by_label(re.compile("Password")).fill(password or PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Settings")).to_be_visible()


# --- the task worker ------------------------------------------------------------------


def run_worker(max_tasks: int | None = None) -> None:
    """Run the queued tasks in this process, as `manage.py worker` does, until none is left.

    Inside a test's transaction: the worker's `close_old_connections` would close the
    connection that holds it (the worker process has no such transaction), so it is
    left out here.
    """
    with keep_test_connection():
        task_worker(batch=True, max_tasks=max_tasks).run()


def keep_test_connection():
    """The worker without its `close_old_connections` (see run_worker)."""
    from unittest import mock

    return mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections")


def task_worker(*, batch: bool, interval: float = 0, max_tasks: int | None = None):
    """django-tasks-db's worker loop over every queue, as `manage.py worker` runs it."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="tests",
        excluded_queue_names=[],
    )


# --- Web Push: a push endpoint on 127.0.0.1, a browser's subscription, VAPID -----------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    """A push endpoint on 127.0.0.1: records each request and answers `status`."""

    def __init__(self, status: int = 201):
        self.status, self.received = status, []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A browser's push subscription: its P-256 key pair and 16-byte auth secret (RFC 8291)."""

    def __init__(self, runner, endpoint: str):
        from checkins.models import PushSubscription

        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        point = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.subscription = PushSubscription.objects.create(
            runner=runner, endpoint=endpoint, p256dh=b64url(point), auth=b64url(self.auth)
        )

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


def verify_vapid(authorization: str, *, audience: str) -> dict:
    """RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT signed with ES256 by that key."""
    scheme, params = authorization.split(" ", 1)
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64)) == {"typ": "JWT", "alg": "ES256"}
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    signature = unb64url(signature_b64)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    public.verify(  # raises InvalidSignature
        encode_dss_signature(r, s), f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256())
    )
    claims = json.loads(unb64url(claims_b64))
    assert claims["aud"] == audience
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600
    return {"key": fields["k"], **claims}
