"""Security: CSRF on every POST, script in every free text rendered inert under a strict
content security policy, and every form fuzzed (never a 5xx, never an anonymous error).

The fuzz tests share AFTERMATH_FUZZ_EXAMPLES hypothesis examples between them (2,000 by
default, for CI; a soak run sets 10000 or more).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import uuid
from collections import Counter
from urllib.parse import urlencode

import pytest
from django import forms
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.forms import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advice.forms import HydrationForm
from advice.units import Units
from checkins.forms import CheckInForm, FollowUpForm, HistoryFilter, ProfileForm, SignupForm
from checkins.models import CheckIn, Experiment, ImportJob, Run, User
from checkins.transfer import share
from checkins.transfer.export import FORMAT, VERSION
from checkins.transfer.forms import PeriodForm
from tests.factories import METRIC_PROFILE_FORM, PASSWORD, RunFactory
from tests.helpers import (
    PUBLIC,
    START,
    Tree,
    checkin_post,
    concrete,
    make_gpx,
    make_tcx,
    make_zip,
    run_worker,
    strava_csv,
    url_patterns,
)

pytestmark = pytest.mark.django_db

# --- Hypothesis: one budget shared by the fuzz tests ------------------------------------

FUZZ_TOTAL = int(os.environ.get("AFTERMATH_FUZZ_EXAMPLES", "2000"))
# Each fuzz test's share of the budget; the shares are rounded up, so they sum to >= FUZZ_TOTAL.
FUZZ_WEIGHTS = {
    "checkin_create": 5,
    "checkin_preview": 5,
    "profile": 1,  # its page renders some 600 time zones: the slowest to fuzz
    "signup": 2,
    "history": 2,
    "report": 2,
    "hydration": 2,
    "followup": 1,
}
FUZZ_SHARES = {
    name: math.ceil(FUZZ_TOTAL * weight / sum(FUZZ_WEIGHTS.values())) for name, weight in FUZZ_WEIGHTS.items()
}
assert sum(FUZZ_SHARES.values()) >= FUZZ_TOTAL

settings.register_profile(
    "ci",
    max_examples=max(FUZZ_SHARES.values()),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def fuzz_settings(name: str) -> settings:
    """The "ci" profile with this test's share of the examples (the profile is not loaded
    globally, so the other property tests keep their own settings)."""
    return settings(settings.get_profile("ci"), max_examples=FUZZ_SHARES[name])


# --- Payloads and HTML checks ----------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
PAYLOADS = (SCRIPT, IMG, JS_URL)
PAYLOAD_TEXT = " ".join(PAYLOADS)
# What must never reach a page unescaped.
RAW_MARKERS = ("<script>alert(1)", "<img src=x", "onerror=alert(1)>")


def texts_by_id(html: str) -> dict[str, str]:
    """The text inside each element that has an id, as written (spaces kept)."""
    return {el.attrs["id"]: "".join(el.parts) for el in Tree(html).root.walk() if el.attrs.get("id")}


def csp_nonce(response) -> str | None:
    policy = response.headers.get("Content-Security-Policy", "")
    assert policy, "an HTML response without a Content-Security-Policy header"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    script_src = directives.get("script-src", "")
    # A nonce only when the page uses one (htmx's script tag); nothing else may run.
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9+/=_-]+')?", script_src), policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy and "base-uri 'none'" in policy
    nonce = re.search(r"'nonce-([^']+)'", script_src)
    return nonce.group(1) if nonce else None


URL_ATTRS = {"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-put", "hx-delete", "data"}


def assert_inert(response, *, shown: tuple[str, ...] = ()) -> str:
    """The page carries the strict policy; no payload runs; `shown` payloads appear escaped."""
    assert response.status_code < 500
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    nonce = csp_nonce(response)
    body = response.content.decode()
    lowered = body.lower()
    for marker in RAW_MARKERS:
        assert marker not in lowered, f"unescaped {marker!r} in {response.wsgi_request.path}"
    for tag, attrs in ((el.tag, el.attrs) for el in Tree(body).root.walk()):
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert not name.startswith("hx-on"), (tag, name, value)
            if name in URL_ATTRS and value:
                assert not value.strip().lower().startswith("javascript:"), (tag, name, value)
        if tag == "script":
            own = (attrs.get("src") or "").startswith("/static/")
            assert own or (nonce is not None and attrs.get("nonce") == nonce), attrs
    for payload in shown:
        assert escape(payload) in body, f"{payload!r} is not shown escaped on {response.wsgi_request.path}"
    return body


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def finish(client, job: ImportJob) -> None:
    run_worker()
    job.refresh_from_db()
    assert job.finished_at, "the import did not finish"


# --- 1. CSRF ----------------------------------------------------------------------------

# Routes that take a POST and must refuse one without a token; anonymous ones are posted
# to by a visitor who is not logged in.
MUST_REFUSE = {
    "checkin_create",
    "checkin_preview",
    "run_edit",
    "run_delete",
    "followup",
    "profile",
    "welcome",
    "logout",
    "import_one",
    "import_many",
    "import_export",
    "delete_account",
    "password_change",
    "share_links",
    "share_link_revoke",
    "experiment_start",
    "experiment_stop",
    "two_factor_setup",
    "two_factor_disable",
    "recovery_codes",
}
MUST_REFUSE_ANONYMOUS = {
    "signup",
    "signup_confirm",
    "login",
    "login_code",
    "password_reset",
    "password_reset_confirm",
}
# POSTed with no session and no CSRF token by design (RFC 8058 one-click unsubscribe): the
# signed token in the URL is the key (tests/test_reminders.py refuses a changed one).
SIGNED_LINKS = {"reminder_unsubscribe"}


def concrete_url(route: str, runner) -> str:
    if "<int:pk>" in route:
        if route.startswith("import/"):
            pk = ImportJob.objects.create(runner=runner, filename="mine.gpx").pk
        elif route.startswith("data/report/share/"):
            pk = share.issue(runner=runner, start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 1), days=30)[0].pk
        elif route.startswith("experiments/"):
            pk = Experiment.objects.create(
                runner=runner, change="cooldown_walk", weeks=2, start_day=dt.date.today(), active=False
            ).pk
        else:
            run = RunFactory(runner=runner)
            CheckIn.objects.create(run=run, twitching=True)
            pk = run.pk
        route = route.replace("<int:pk>", str(pk))
    route = route.replace("<uidb64>", "MQ").replace("<token>", "set-password")
    return concrete(route, 0)


def test_the_csrf_lists_name_real_routes():
    names = {name for _, name in url_patterns()}
    assert names >= MUST_REFUSE | MUST_REFUSE_ANONYMOUS


def test_every_post_without_a_token_is_refused(runner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(runner)
    anonymous = Client(enforce_csrf_checks=True)
    statuses = {}
    for route, name in url_patterns():
        if name in SIGNED_LINKS:
            continue
        url = concrete_url(route, runner)
        statuses[name] = client.post(url, {"distance": "5"}).status_code
        if name in PUBLIC:
            statuses[f"{name} (anonymous)"] = anonymous.post(url, {"email": "x@example.org"}).status_code
    bad = {name: status for name, status in statuses.items() if status not in (403, 405)}
    assert not bad, bad
    for name in MUST_REFUSE:
        assert statuses[name] == 403, name
    for name in MUST_REFUSE_ANONYMOUS:
        assert statuses[f"{name} (anonymous)"] == 403, name
    # Nothing happened: the runner is still here, logged in, with every run.
    assert User.objects.filter(pk=runner.pk).exists()
    assert Run.objects.filter(runner=runner).count() == sum("runs/<int:pk>" in r for r, _ in url_patterns())
    assert client.get(reverse("history")).status_code == 200


def test_a_forged_token_is_refused(runner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(runner)
    client.get(reverse("checkin_create"))
    response = client.post(
        reverse("checkin_preview"), checkin_post(), headers={"HX-Request": "true", "X-CSRFToken": "x" * 64}
    )
    assert response.status_code == 403


def page_token(body: str) -> str:
    """The token the base template gives htmx in <body hx-headers>."""
    match = re.search(r"""<body hx-headers='\{"x-csrftoken": "([A-Za-z0-9]+)"\}'>""", body)
    assert match, "the page gives htmx no CSRF token"
    return match.group(1)


def test_htmx_posts_with_the_pages_token_work(runner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(runner)
    page = client.get(reverse("checkin_create"))
    token = page_token(page.content.decode())
    htmx = {"HX-Request": "true", "X-CSRFToken": token}
    preview = client.post(reverse("checkin_preview"), checkin_post(), headers=htmx)
    assert preview.status_code == 200
    assert "Advice so far" in preview.content.decode()
    saved = client.post(reverse("checkin_create"), checkin_post(), headers=htmx)
    assert saved.status_code == 200 and saved["HX-Redirect"].startswith("/runs/")
    # A plain form post with the form's hidden token works too.
    run = Run.objects.get(runner=runner)
    page = client.get(reverse("run_delete", args=[run.pk])).content.decode()
    hidden = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert (
        client.post(reverse("run_delete", args=[run.pk]), {"csrfmiddlewaretoken": hidden}).status_code == 302
    )
    assert not Run.objects.filter(pk=run.pk).exists()


def test_the_two_factor_pages_carry_the_strict_policy(runner):
    """The set-up page's QR code is inline SVG: no style attribute, no script, nothing that
    runs; every two-factor page is inert under the strict policy."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client()
    client.force_login(runner)
    setup = client.get(reverse("two_factor_setup"))
    body = assert_inert(setup)
    svg = body.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "style" not in svg and "<script" not in svg
    device = TOTPDevice.objects.get(user=runner)
    code = f"{totp(device.bin_key):06d}"
    assert_inert(client.post(reverse("two_factor_setup"), {"password": PASSWORD, "code": code}))
    for name in ("two_factor", "two_factor_disable", "recovery_codes"):
        assert_inert(client.get(reverse(name)))
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": runner.email, "password": PASSWORD})
    assert_inert(client.get(reverse("login_code")))


# --- 2. Script in free text -------------------------------------------------------------


def export_payload() -> bytes:
    """An Aftermath export with script in the notes, a value, and an unknown choice."""
    runs = [
        {
            "idempotency_key": str(uuid.uuid4()),
            "started_at": (START + dt.timedelta(days=10)).isoformat(),
            "notes": PAYLOAD_TEXT,
            "distance_km": 8.0,
        },
        {
            "idempotency_key": str(uuid.uuid4()),
            "started_at": (START + dt.timedelta(days=11)).isoformat(),
            "run_type": SCRIPT,
            "notes": IMG,
        },
        {"idempotency_key": SCRIPT, "started_at": START.isoformat()},
    ]
    return json.dumps({"format": FORMAT, "version": VERSION, "runs": runs}).encode()


def strava_zip() -> bytes:
    rows = [
        {
            "Activity ID": "1",
            "Activity Name": PAYLOAD_TEXT,
            "Activity Type": "Run",
            "Filename": "activities/1.gpx",
        },
        {
            "Activity ID": "2",
            "Activity Name": '=HYPERLINK("http://evil.example","x")',
            "Activity Type": "Run",
            "Filename": "activities/2.tcx",
        },
        {
            "Activity ID": "3",
            "Activity Name": SCRIPT,
            "Activity Type": SCRIPT,
            "Filename": "activities/3.gpx",
        },
    ]
    return make_zip(
        {
            "activities.csv": strava_csv(rows),
            "activities/1.gpx": make_gpx(start=START + dt.timedelta(days=1)),
            "activities/2.tcx": make_tcx(start=START + dt.timedelta(days=2)),
            "activities/3.gpx": make_gpx(start=START + dt.timedelta(days=3)),
            f"activities/{IMG}.gpx": b"not a gpx file",
        }
    )


def test_script_in_every_free_text_is_rendered_inert(client, runner):
    client.force_login(runner)
    # Check-in notes: saved, and echoed back by a form with errors.
    assert client.post(reverse("checkin_create"), checkin_post(notes=PAYLOAD_TEXT)).status_code == 302
    formula = "=cmd|' /C calc'!A0"
    later = (dt.datetime.now() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(reverse("checkin_create"), checkin_post(notes=formula, started_at=later))
    invalid = checkin_post(
        notes=PAYLOAD_TEXT, distance=SCRIPT, temperature=IMG, run_type=SCRIPT, muscles=[IMG]
    )
    response = client.post(reverse("checkin_create"), invalid)
    assert response.status_code == 200 and response.context["form"].errors
    assert_inert(response, shown=PAYLOADS)
    preview = client.post(reverse("checkin_preview"), invalid, headers={"HX-Request": "true"})
    assert_inert(preview, shown=(SCRIPT, IMG))

    # File names: one watch file (pre-fill, then refused), many files and a Strava export.
    name = f"{IMG}.gpx"
    response = client.post(reverse("import_one"), {"file": upload(name, make_gpx())})
    assert response.status_code == 302
    assert_inert(client.get(response["Location"]), shown=(name,))  # waiting, named
    run_worker()
    checkin = client.get(response["Location"], follow=True)
    assert_inert(checkin, shown=(name,))  # "Filled in from <name>"
    # (Django keeps only what follows the last "/" of an upload's name: "script>.gpx".)
    response = client.post(reverse("import_one"), {"file": upload(f"{SCRIPT}.gpx", b"<gpx")})
    run_worker()
    assert_inert(client.get(response["Location"]))  # refused at the field, named
    response = client.post(
        reverse("import_many"),
        {
            "files": [
                upload(name, make_gpx(start=START + dt.timedelta(days=5))),
                upload(f"{IMG}.zip", b"PK\x03\x04 not a zip"),
                upload("strava.zip", strava_zip()),
            ]
        },
    )
    job = ImportJob.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert_inert(client.get(response["Location"]), shown=(IMG,))
    finish(client, job)
    report = assert_inert(client.get(response["Location"]), shown=(IMG,))
    assert "Done: 3 runs imported, 1 skipped, 2 refused." in report
    assert_inert(client.get(reverse("import_page")), shown=(IMG,))

    # An Aftermath export with script in it.
    response = client.post(
        reverse("import_export"), {"export": upload(f"{IMG}.json", export_payload(), "application/json")}
    )
    run_worker()
    loaded = client.get(response["Location"])
    assert "Done: 1 run loaded" in loaded.content.decode()
    assert_inert(loaded, shown=(IMG,))
    not_json = client.post(reverse("import_export"), {"export": upload(f"{IMG}.json", b"{")})
    run_worker()
    assert_inert(client.get(not_json["Location"]), shown=(IMG,))
    wrong = json.dumps({"format": FORMAT, "version": SCRIPT, "runs": []}).encode()
    response = client.post(reverse("import_export"), {"export": upload("v.json", wrong)})
    run_worker()
    assert_inert(client.get(response["Location"]), shown=(SCRIPT,))

    # Query strings and other forms.
    hostile = {"start": SCRIPT, "end": IMG, "muscle": SCRIPT, "twitching": JS_URL, "page": IMG}
    assert_inert(client.get(reverse("history"), hostile))
    assert_inert(client.get(reverse("history"), hostile, headers={"HX-Request": "true"}))
    assert_inert(client.get(reverse("report"), {"start": SCRIPT, "end": IMG}))
    assert_inert(
        client.get(
            reverse("tips_hydration"), {"duration_min": SCRIPT, "temperature": IMG, "humidity_pct": JS_URL}
        )
    )
    assert_inert(
        client.post(reverse("profile"), {"time_zone": SCRIPT, "medications": [IMG], "body_weight": IMG})
    )
    assert_inert(client.get(reverse("welcome"), {"next": JS_URL}))
    response = client.post(reverse("welcome"), {"next": JS_URL, "understood": "on"})
    assert response["Location"] == reverse("home")

    # Every page that shows what was stored.
    runs = list(Run.objects.filter(runner=runner))
    assert len(runs) == 6
    noted = [run for run in runs if SCRIPT in run.notes]
    assert len(noted) == 3  # typed in a check-in, a Strava activity name, an export's notes
    for run in runs:
        assert_inert(client.get(reverse("run_detail", args=[run.pk])))
        assert_inert(client.get(reverse("run_delete", args=[run.pk])))
        shown = (SCRIPT,) if run in noted else ()
        assert_inert(client.get(reverse("run_edit", args=[run.pk])), shown=shown)
    followup = next(run for run in runs if hasattr(run, "checkin") and run.checkin.twitching)
    assert_inert(client.post(reverse("followup", args=[followup.pk]), {"weakness": SCRIPT}), shown=(SCRIPT,))
    for page in (
        "home",
        "history",
        "report",
        "data",
        "tips",
        "tips_cooldown",
        "tips_hydration",
        "tips_fuelling",
    ):
        assert_inert(client.get(reverse(page)))

    # The exports: JSON as a download (never sniffed as HTML), CSV without live formulas.
    response = client.get(reverse("export_json"))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    notes = {run["notes"] for run in json.loads(response.content)["runs"]}
    assert PAYLOAD_TEXT in notes  # kept exactly as typed, not escaped twice
    response = client.get(reverse("export_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in row:
            if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                float(cell)  # only numbers may start like a formula
    csv_notes = {row[-1] for row in rows[1:]}
    assert "'" + formula in csv_notes and '\'=HYPERLINK("http://evil.example","x")' in csv_notes
    assert PAYLOAD_TEXT in csv_notes


@pytest.mark.parametrize(
    "email",
    [
        f"{SCRIPT}@example.org",
        f"{IMG}@example.org",
        f'"{SCRIPT}"@example.org',  # a quoted local part: a valid address
        f"{JS_URL}@example.org",
    ],
)
def test_script_in_the_email_is_refused_or_escaped(client, email):
    response = client.post(
        reverse("signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD, "time_zone": SCRIPT}
    )
    if response.status_code == 200:
        assert response.context["form"].errors
        assert_inert(response, shown=(email,))
        return
    assert response.status_code == 302
    link = re.search(r"https?://[^/]+(/signup/confirm/\S+/)", mail.outbox[-1].body).group(1)
    assert client.post(link, {"password": PASSWORD}).status_code == 302
    user = User.objects.get()
    client.post(reverse("welcome"), {"understood": "on"})
    for page in ("home", "profile", "data", "delete_account", "password_change", "history"):
        assert_inert(client.get(reverse(page)))
    assert_inert(client.get(reverse("report")), shown=(user.email,))  # the report shows the address
    assert json.loads(client.get(reverse("export_json")).content)["account"]["email"] == user.email
    client.post(reverse("logout"))
    login = client.post(reverse("login"), {"username": email, "password": "wrong"})
    assert_inert(login, shown=(email,))


# --- 3. Fuzzing -------------------------------------------------------------------------

AWKWARD = [
    "",
    " ",
    "nan",
    "NaN",
    "-nan",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "-1e309",
    "1e-400",
    "0",
    "-0",
    "0.0000001",
    "1_000",
    "0x10",
    "1,5",
    "１２",
    "٣",
    "²",
    "9" * 40,
    "-" + "9" * 40,
    "\x00",
    "\u200b",
    "true",
    "yes",
    "on",
    "None",
    "[]",
    "{}",
    "9999-12-31",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "2024-02-30",
    "2024-05-04T25:61",
    SCRIPT,
    "' OR 1=1 --",
    "%00",
    "../../etc/passwd",
]

scalar = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=30),
    st.text(alphabet="0123456789.-+eE", max_size=12),
    st.integers().map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(min_value=-500, max_value=5000).map(lambda x: f"{x:g}"),
    st.integers(min_value=-5, max_value=300).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
    st.uuids().map(str),
)
anything = st.one_of(scalar, st.lists(scalar, min_size=0, max_size=3))


def plausible(field) -> st.SearchStrategy:
    """Values a browser could send for this field: in range, at its edges, just outside."""
    if isinstance(field, forms.MultipleChoiceField):
        return st.lists(st.sampled_from([str(v) for v, _ in field.choices]), max_size=4)
    if isinstance(field, forms.ChoiceField):
        return st.sampled_from([str(v) for v, _ in field.choices])
    if isinstance(field, forms.DateTimeField):
        recent = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime.now())
        edges = st.sampled_from(
            [dt.datetime(1, 1, 1), dt.datetime(1900, 1, 1), dt.datetime(9999, 12, 31, 23, 59)]
        )
        return st.one_of(recent, edges, st.datetimes()).map(lambda d: d.strftime("%Y-%m-%dT%H:%M"))
    if isinstance(field, forms.DateField):
        recent = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date.today())
        edges = st.sampled_from([dt.date(1900, 1, 1), dt.date(9999, 12, 31), dt.date.today()])
        return st.one_of(recent, edges, st.dates()).map(str)
    if isinstance(field, forms.UUIDField):
        return st.uuids().map(str)
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "", "false", "0"])
    if isinstance(field, forms.IntegerField | forms.FloatField):
        return st.one_of(
            st.floats(min_value=-10, max_value=400).map(lambda x: f"{round(x, 2):g}"),
            st.floats(min_value=-1e6, max_value=1e6).map(lambda x: f"{x:g}"),
            st.integers(min_value=-1, max_value=5000).map(str),
        )
    return st.text(max_size=60)


def form_data(fields: dict, *, valid: dict | None = None) -> st.SearchStrategy[dict]:
    """Dicts of the form's field names to plausible values or anything at all: a valid
    answer with a few plausible changes (so the advice behind a valid form is fuzzed too),
    a valid answer with any changes, or any values from scratch."""
    names = st.sampled_from(sorted(fields))
    nearby = {name: plausible(field) for name, field in fields.items()}
    wild = {name: st.one_of(st.none(), plausible(field), anything) for name, field in fields.items()}

    def changed(base: dict, values: dict, max_size: int | None):
        @st.composite
        def build(draw):
            data = dict(base)
            for name in draw(st.lists(names, unique=True, max_size=max_size)):
                value = draw(values[name])
                if value is None:
                    data.pop(name, None)
                else:
                    data[name] = value
            return data

        return build()

    if not valid:
        return changed({}, wild, None)
    return st.one_of(changed(valid, nearby, 3), changed(valid, wild, None), changed({}, wild, None))


def labels_of(form) -> list[str]:
    return [str(field.label).lower() for field in form.fields.values() if field.label] + [
        name.replace("_", " ") for name in form.fields
    ]


def assert_no_anonymous_errors(response, key: str = "form") -> None:
    """Each error belongs to a field of the form, or names one in its text."""
    assert response.status_code < 500, response.status_code
    context = response.context
    if response.status_code not in (200, 400) or context is None or key not in context:
        return
    form = context[key]
    if not form.is_bound:
        return
    labels = labels_of(form)
    for name, messages in form.errors.items():
        if name == NON_FIELD_ERRORS:
            for message in messages:
                assert any(label in message.lower() for label in labels), f"anonymous error: {message!r}"
        else:
            assert name in form.fields, f"error for unknown field {name!r}: {messages}"
            assert all(str(message).strip() for message in messages), name


RAN: Counter[str] = Counter()


def ran_all(name: str) -> None:
    """The test really ran its share of the examples (no early stop)."""
    assert RAN[name] >= FUZZ_SHARES[name], (name, RAN[name], FUZZ_SHARES[name])


@pytest.fixture
def fuzz_runner(runner, make_run):
    """A runner with a few weeks of runs, some with twitching."""
    now = timezone.now()
    for days in (1, 2, 5, 9, 20, 40):
        twitch = {"twitching": days % 2 == 1, "muscles": ["calves"], "intensity": days % 10}
        make_run(runner, checkin=twitch, started_at=now - dt.timedelta(days=days), temperature_c=25.0)
    return runner


@pytest.fixture
def fuzz_client(fuzz_runner):
    client = Client()
    client.force_login(fuzz_runner)
    return client


def checkin_fields():
    return CheckInForm(units=Units()).fields


@pytest.mark.slow
def test_fuzz_checkin_create(fuzz_client):
    valid = checkin_post()

    @fuzz_settings("checkin_create")
    @given(data=form_data(checkin_fields(), valid=valid), htmx=st.booleans())
    def check(data, htmx):
        RAN["checkin_create"] += 1
        if data.get("idempotency_key") == valid["idempotency_key"]:
            data["idempotency_key"] = str(uuid.uuid4())  # a new run each time, not the first one again
        headers = {"HX-Request": "true"} if htmx else {}
        response = fuzz_client.post(reverse("checkin_create"), data, headers=headers)
        assert response.status_code in (200, 302), response.status_code
        assert_no_anonymous_errors(response)
        if response.context and "form" in response.context and response.context["form"].errors:
            assert_errors_at_fields(response)

    check()
    ran_all("checkin_create")


@pytest.mark.slow
def test_fuzz_checkin_preview(fuzz_client, fuzz_runner):
    run = Run.objects.filter(runner=fuzz_runner).first()
    run_param = st.one_of(
        st.just(""), st.just(str(run.pk)), st.sampled_from(["²", "٣", "9" * 30, "-1", "0", SCRIPT]), st.text()
    )

    @fuzz_settings("checkin_preview")
    @given(data=form_data(checkin_fields(), valid=checkin_post()), run=run_param)
    def check(data, run):
        RAN["checkin_preview"] += 1
        url = reverse("checkin_preview") + ("?" + urlencode({"run": run}) if run else "")
        response = fuzz_client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code in (200, 404), response.status_code
        assert_no_anonymous_errors(response)
        if response.status_code == 200:
            assert_errors_at_fields(response)

    check()
    ran_all("checkin_preview")


@pytest.mark.slow
def test_fuzz_profile(fuzz_client, fuzz_runner):
    fields = ProfileForm(instance=fuzz_runner.profile).fields
    valid = {**METRIC_PROFILE_FORM, "time_zone": "Europe/Berlin", "body_weight": "70"}

    @fuzz_settings("profile")
    @given(data=form_data(fields, valid=valid))
    def check(data):
        RAN["profile"] += 1
        response = fuzz_client.post(reverse("profile"), data)
        assert response.status_code in (200, 302), response.status_code
        assert_no_anonymous_errors(response)

    check()
    ran_all("profile")
    # Whatever was saved, the runner's pages still open.
    for page in ("home", "history", "report", "tips_hydration", "checkin_create"):
        assert fuzz_client.get(reverse(page)).status_code == 200, page


@pytest.mark.slow
def test_fuzz_signup(db):
    client = Client()
    fields = SignupForm().fields

    @fuzz_settings("signup")
    @given(data=form_data(fields, valid={"password1": PASSWORD, "password2": PASSWORD}), email=st.emails())
    def check(data, email):
        RAN["signup"] += 1
        data.setdefault("email", email)
        response = client.post(reverse("signup"), data)
        assert response.status_code in (200, 302), response.status_code
        assert_no_anonymous_errors(response)
        if response.status_code == 302:
            client.logout()

    check()
    ran_all("signup")


@pytest.mark.slow
def test_fuzz_history_filters(fuzz_client):
    fields = HistoryFilter().fields | {"page": forms.IntegerField()}

    @fuzz_settings("history")
    @given(data=form_data(fields), htmx=st.booleans())
    def check(data, htmx):
        RAN["history"] += 1
        headers = {"HX-Request": "true"} if htmx else {}
        response = fuzz_client.get(reverse("history"), data, headers=headers)
        assert response.status_code == 200
        assert_no_anonymous_errors(response, key="filters")

    check()
    ran_all("history")


@pytest.mark.slow
def test_fuzz_report_period(fuzz_client):
    @fuzz_settings("report")
    @given(data=form_data(PeriodForm().fields))
    def check(data):
        RAN["report"] += 1
        response = fuzz_client.get(reverse("report"), data)
        assert response.status_code == 200
        assert_no_anonymous_errors(response)

    check()
    ran_all("report")


@pytest.mark.slow
def test_fuzz_hydration(fuzz_client):
    @fuzz_settings("hydration")
    @given(data=form_data(HydrationForm(units=Units()).fields))
    def check(data):
        RAN["hydration"] += 1
        response = fuzz_client.get(reverse("tips_hydration"), data)
        assert response.status_code == 200
        assert_no_anonymous_errors(response)

    check()
    ran_all("hydration")


@pytest.mark.slow
def test_fuzz_followup(fuzz_client, fuzz_runner):
    run = Run.objects.filter(runner=fuzz_runner, checkin__twitching=True).first()
    fields = FollowUpForm(checkin=run.checkin).fields

    @fuzz_settings("followup")
    @given(data=form_data(fields, valid=dict.fromkeys(fields, "no")))
    def check(data):
        RAN["followup"] += 1
        response = fuzz_client.post(reverse("followup", args=[run.pk]), data)
        assert response.status_code in (200, 302), response.status_code
        assert_no_anonymous_errors(response)

    check()
    ran_all("followup")


# --- 4. Errors sit at their fields ------------------------------------------------------


def assert_errors_at_fields(response) -> None:
    """Every error of the bound form is in the page's slot for its field, id="err-<field>"."""
    form = response.context["form"]
    slots = texts_by_id(response.content.decode())
    for name, messages in form.errors.items():
        assert name != NON_FIELD_ERRORS, messages
        slot = f"err-{form[name].html_name}"
        assert slot in slots, f"no error slot {slot!r} on the page for {messages}"
        text = slots[slot]
        for message in messages:
            assert message in text, (slot, message, text)


WRONG_EVERYWHERE = {
    "idempotency_key": "not-a-uuid",
    "started_at": "yesterday-ish",
    "distance": "-3",
    "duration_min": "99999",
    "effort": "11",
    "run_type": "sprint-ish",
    "temperature": "200",
    "humidity_pct": "101",
    "fluid": "abc",
    "electrolytes_during": "maybe",
    "carbs_before_g": "1e9",
    "carbs_before_min": "-1",
    "meal_before_h": "nan",
    "spicy_meal": "perhaps",
    "cooldown": "crawl",
    "weight_before": "2",
    "weight_after": "900",
    "twitching": "sometimes",
    "muscles": ["calves", "tail"],
    "intensity": "12",
    "visible": "x",
    "cramps": "x",
    "weakness": "x",
    "symptoms": ["flying"],
    "urine_color": "9",
    "rehydrated": "x",
    "notes": "n" * 2001,
    "avg_heart_rate_bpm": "300",
}


@pytest.mark.parametrize("imperial", [False, True])
@pytest.mark.parametrize("htmx", [False, True])
def test_every_checkin_error_is_shown_at_its_field(runner_client, runner, make_run, imperial, htmx):
    if imperial:
        profile = runner.profile
        profile.distance_unit, profile.temperature_unit, profile.volume_unit, profile.weight_unit = (
            "mi",
            "f",
            "floz",
            "lb",
        )
        profile.save()
    run = make_run(runner, checkin={"twitching": True})
    headers = {"HX-Request": "true"} if htmx else {}
    for url in (reverse("checkin_create"), reverse("run_edit", args=[run.pk])):
        response = runner_client.post(url, WRONG_EVERYWHERE, headers=headers)
        assert response.status_code == 200
        form = response.context["form"]
        assert set(form.errors) == set(form.fields), set(form.fields) - set(form.errors)
        assert_errors_at_fields(response)
        # Each input (or fieldset of choices) with an error points at its slot.
        elements = Tree(response.content.decode()).root.walk()
        described = [el.attrs.get("aria-describedby", "").split() for el in elements]
        for name in form.errors:
            if not form[name].is_hidden:
                assert [f"err-{name}"] in described, name
    # The live preview refreshes the same slots out of band.
    preview = runner_client.post(reverse("checkin_preview"), WRONG_EVERYWHERE, headers={"HX-Request": "true"})
    assert_errors_at_fields(preview)
    # One wrong answer: only its slot carries an error, the others are emptied.
    one = runner_client.post(
        reverse("checkin_preview"), checkin_post(temperature="200", fluid="8"), headers=headers
    )
    slots = texts_by_id(one.content.decode())
    filled = {slot for slot, text in slots.items() if slot.startswith("err-") and text.strip()}
    assert filled == {"err-temperature"}, filled


def test_huge_ids_are_not_found(runner_client):
    for name in ("run_detail", "run_edit", "run_delete", "followup", "import_progress"):
        url = reverse(name, args=[1]).replace("/1/", "/" + "9" * 30 + "/")
        assert runner_client.get(url).status_code == 404, name


def test_a_checkin_start_at_the_calendars_ends_is_refused_at_its_field(runner_client, runner):
    """Year 1 or 9999 once overflowed (500) in a zone behind UTC: refused at the field now."""
    profile = runner.profile
    profile.time_zone = "America/New_York"
    profile.save()
    for when in ("0001-01-01T00:00", "9999-12-31T23:59", "1899-12-30T12:00"):
        for name in ("checkin_create", "checkin_preview"):
            response = runner_client.post(reverse(name), checkin_post(started_at=when))
            assert response.status_code == 200, (name, when)
            assert list(response.context["form"].errors) == ["started_at"], (name, when)
    assert not Run.objects.filter(runner=runner).exists()


# --- Dates at the calendar's edges: once 500s ------------------------------------------


@pytest.mark.parametrize("url_name", ["history", "report"])
def test_a_period_ending_in_year_one_is_an_error_not_a_crash(runner_client, url_name):
    response = runner_client.get(reverse(url_name), {"end": "0001-01-01"})
    assert response.status_code == 200
    assert response.context["filters" if url_name == "history" else "form"].errors


def test_an_export_with_a_run_in_year_one_is_refused(runner_client, runner):
    runs = [{"idempotency_key": str(uuid.uuid4()), "started_at": "0001-01-01T00:00:00+00:00"}]
    data = json.dumps({"format": FORMAT, "version": VERSION, "runs": runs}).encode()
    runner_client.post(reverse("import_export"), {"export": upload("old.json", data)})
    for page in ("home", "history", "report", "tips_hydration", "tips_cooldown", "tips_fuelling"):
        assert runner_client.get(reverse(page)).status_code == 200, page


@pytest.mark.parametrize(("field", "value"), [("distance", "0.005"), ("duration_min", "0.05")])
def test_a_value_below_the_models_floor_is_refused_at_its_field(runner_client, runner, field, value):
    """Above the domain's open minimum but under the model's floor: once a 500 on saving."""
    response = runner_client.post(reverse("checkin_create"), checkin_post(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert_errors_at_fields(response)
    assert not Run.objects.filter(runner=runner).exists()
