"""The report for a doctor on a phone, in Debian's Chromium: a runner makes a share link, a
doctor opens it in a browser of their own, the runner revokes it and it opens no more (light
and dark); the report prints to A4 and US Letter, warnings first, without the screen's parts."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from checkins.models import CheckIn, ShareLink
from checkins.transfer.report import doctor_report
from tests.browser.conftest import assert_accessible, axe  # noqa: F401  (the browser tests' axe fixtures)
from tests.factories import RunFactory, UserFactory
from tests.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

TITLE = "Post-run muscle twitching: report for a doctor"
# Paper sizes in PDF points (1/72 inch): ISO 216 A4 is 210 × 297 mm, US Letter 8.5 × 11 in.
PAPER = {"A4": (595.92, 842.88), "Letter": (612.0, 792.0)}
# The browser reports a blocked script, style or request as an event (the CSP is strict).
WATCH_POLICY = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def a_log(runner) -> None:
    """Two weeks of runs: twitching every other day, and cola-brown urine (urgent) 2 days ago."""
    for days_ago in range(1, 15):
        run = RunFactory(runner=runner, started_at=timezone.now() - dt.timedelta(days=days_ago))
        urgent = ["cola_urine"] if days_ago == 2 else []
        CheckIn.objects.create(
            run=run, twitching=days_ago % 2 == 0, muscles=["calves", "hamstrings"], symptoms=urgent
        )


def new_page(browser, browser_context_args, scheme: str):
    context = browser.new_context(**{**browser_context_args, "color_scheme": scheme})
    context.add_init_script(WATCH_POLICY)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


@pytest.fixture(params=["light", "dark"])
def runner_page(request, live_server, browser, browser_context_args):
    runner = UserFactory(email="ava@example.org")
    runner.profile.acknowledge_notice()
    a_log(runner)
    page = new_page(browser, browser_context_args, request.param)
    log_in(page, live_server.url, runner)
    page.runner, page.scheme, page.base = runner, request.param, live_server.url
    yield page
    page.context.close()


def urgent_title(runner) -> str:
    today = timezone.localdate()
    report = doctor_report(runner, runner.profile, start=today - dt.timedelta(days=89), end=today)
    assert report["flags"][0]["urgent"], report["flags"]
    return report["flags"][0]["title"]


def no_problems(page) -> None:
    assert page.evaluate("window.__violations") == []
    assert page.problems == []


def test_a_link_made_opened_elsewhere_and_revoked_on_a_phone(
    runner_page,
    browser,
    browser_context_args,
    screenshot,
    assert_accessible,  # noqa: F811
):
    page = runner_page
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Share links to your report").click()
    expect(page.get_by_role("heading", name="Share your report with a doctor", level=1)).to_be_visible()
    expect(page.get_by_text("worked out each time the link is opened")).to_be_visible()
    page.get_by_text("7 days").click()
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Copy your link now")).to_be_visible()
    url = page.locator("#new-link").input_value()
    assert re.fullmatch(re.escape(page.base) + r"/shared/[\w-]{43}/", url), url
    expect(page.get_by_role("button", name="Copy the link")).to_be_visible()
    assert_accessible(page, f"share links page, {page.scheme}")
    screenshot(page, f"{page.scheme}-1-new-link")
    no_problems(page)

    # The doctor: another browser, no session. The report, its urgent warning first, and no way in.
    doctor = new_page(browser, browser_context_args, page.scheme)
    response = doctor.goto(url)
    assert response.status == 200
    headers = response.headers
    assert "no-store" in headers["cache-control"] and headers["x-robots-tag"] == "noindex, nofollow"
    assert headers["referrer-policy"] == "no-referrer"
    expect(doctor.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(doctor.locator(".report-flag").first).to_contain_text(urgent_title(page.runner))
    expect(doctor.get_by_text(re.compile("The link works until"))).to_be_visible()
    assert doctor.locator("a").evaluate_all("links => links.map((a) => a.getAttribute('href'))") == ["#main"]
    assert page.runner.email not in doctor.content()
    assert_accessible(doctor, f"shared report, {page.scheme}")
    screenshot(doctor, f"{page.scheme}-2-doctor-opens")
    no_problems(doctor)

    # The runner sees it opened, and revokes it.
    page.goto(page.url)  # the link is not on the page again
    assert url not in page.content()
    expect(page.get_by_text(re.compile("opened 1 time, last"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Revoke the link")).click()
    expect(page.get_by_text(re.compile("is revoked: it no longer opens"))).to_be_visible()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    screenshot(page, f"{page.scheme}-3-revoked")
    assert ShareLink.objects.get().revoked_at is not None

    response = doctor.goto(url)
    assert response.status == 410
    expect(doctor.get_by_role("heading", name="This link no longer opens")).to_be_visible()
    assert doctor.locator(".report-flag").count() == 0
    screenshot(doctor, f"{page.scheme}-4-doctor-gone")
    doctor.context.close()

    # The runner's activity lists all three.
    page.get_by_role("link", name="Back to Settings").click()
    page.get_by_role("link", name="Account activity").click()
    for what in ("Made a share link", "Share link opened", "Revoked a share link", "Logged in"):
        expect(page.get_by_text(what).first).to_be_visible()
    assert_accessible(page, f"account activity, {page.scheme}")
    screenshot(page, f"{page.scheme}-5-activity")


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as Chromium (Skia) writes it, roughly: each font's ToUnicode map
    applied to the strings its text operators show. Enough to find a sentence once the
    spaces are taken out (kerning splits words)."""
    objects = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S):
        body = match.group(2)
        stream = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        head, data = (body[: stream.start()], stream.group(1)) if stream else (body, b"")
        if b"/FlateDecode" in head:
            data = zlib.decompress(data)
        objects[int(match.group(1))] = (head, data)

    def to_unicode(number: int) -> dict[str, str]:
        cmap, table = objects[number][1].decode("latin-1"), {}
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                table[src.upper()] = bytes.fromhex(dst).decode("utf-16-be", "replace")
        for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
            for low, high, dst in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    table[f"{code:0{len(low)}X}"] = chr(int(dst, 16) + offset)
        return table

    fonts = {}
    for head, _ in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", head):
            mapped = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)][0])
            if mapped:
                fonts[name.decode()] = to_unicode(int(mapped.group(1)))
    shown = []
    for head, data in objects.values():
        if b"/Length1" in head or b" Tf" not in data:  # font files, and streams that show no text
            continue
        font: dict[str, str] = {}
        ops = r"/(F\d+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj"
        for op in re.finditer(ops, data.decode("latin-1"), re.S):
            if op.group(1):
                font = fonts.get(op.group(1), {})
                continue
            strings = (
                re.findall(r"<([0-9A-Fa-f]*)>", op.group(2)) if op.group(2) is not None else [op.group(3)]
            )
            width = len(next(iter(font), "0000"))
            for string in strings:
                shown.append(
                    "".join(
                        font.get(string[i : i + width].upper(), "?") for i in range(0, len(string), width)
                    )
                )
            shown.append(" ")
    return "".join(shown)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_prints(page, screenshot, name: str, flag_title: str) -> None:
    """The page's print button opens the print dialog; on paper (A4 and Letter) it has the
    title and the urgent warning, before everything else, and none of the screen's parts."""
    button = page.get_by_role("button", name="Print or save as PDF")
    expect(button).to_be_visible()
    screenshot(page, f"{name}-screen")
    expect(page.get_by_text("use your browser's print menu")).to_be_hidden()
    button.click()
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    for hidden in (".app-bar", "footer", "button", ".no-print", "form"):
        for element in page.locator(hidden).all():
            expect(element).to_be_hidden()
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    # Black on white on paper, whatever the screen's colour mode.
    colours = page.evaluate(
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )
    assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"], colours
    urgent = page.locator(".report-urgent > strong").first.evaluate("(el) => getComputedStyle(el).color")
    assert urgent == "rgb(139, 0, 0)", urgent  # dark red on paper, not the dark theme's pale one
    screenshot(page, f"{name}-print")
    for paper, (width, height) in PAPER.items():
        pdf = page.pdf(format=paper)
        box = [float(n) for n in re.search(rb"/MediaBox \[([\d.\s]+)\]", pdf).group(1).split()]
        assert abs(box[2] - width) < 1 and abs(box[3] - height) < 1, (paper, box)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        assert 1 <= pages <= 2, (paper, pages)
        text = squeezed(pdf_text(pdf))
        assert squeezed(TITLE) in text, (paper, text[:300])
        assert squeezed(flag_title) in text, (paper, flag_title)
        # Warnings first: the urgent one before the twitching figures and the medicines.
        assert text.index(squeezed(flag_title)) < text.index("Medicines") < text.index("Runslogged")
        assert "Printorsave" not in text and "Settings" not in text and "Shareyour" not in text
    page.emulate_media(media="screen")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_report_prints_on_a4_and_letter(live_server, browser, browser_context_args, screenshot, scheme):
    runner = UserFactory(email="ben@example.org")
    runner.profile.acknowledge_notice()
    a_log(runner)
    title = urgent_title(runner)

    page = new_page(browser, browser_context_args, scheme)
    log_in(page, live_server.url, runner)
    page.goto(live_server.url + "/data/report/")
    assert_prints(page, screenshot, f"{scheme}-runner", title)
    no_problems(page)

    # The doctor's copy through a link prints the same way.
    page.get_by_role("link", name="Share with a doctor through a link").click()
    page.get_by_role("button", name="Make the link").click()
    url = page.locator("#new-link").input_value()
    doctor = new_page(browser, browser_context_args, scheme)
    doctor.goto(url)
    assert_prints(doctor, screenshot, f"{scheme}-doctor", title)
    no_problems(doctor)
    doctor.context.close()
    page.context.close()
