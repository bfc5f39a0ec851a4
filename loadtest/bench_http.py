"""HTTP load benchmark of Aftermath under gunicorn (a program: prints figures, asserts nothing).

    .venv/bin/python loadtest/bench_http.py [--duration 10] [--connections 16] [--no-browser] [--no-advice]

One run on 127.0.0.1: gunicorn with 2 sync workers (config/gunicorn.conf.py), debug
off, static files collected and served by whitenoise, one runner with 1,500
check-ins. SQLite in a throwaway folder, or PostgreSQL when DATABASE_URL is a
postgres:// URL (a scratch database is created beside it and dropped after).

1. wrk against a plain Django view (the baseline, through the same middleware),
   the pages, the check-in POST (fresh idempotency key per request) and the same
   check-in POSTed to the API with a token (JSON, the rate limit raised out of the
   way but still counted): requests/s, p50/p99 latency, responses other than
   expected, ratio to the baseline.
2. Debian's Chromium through Playwright, logged in: the first visit of /checkin/
   with an empty cache (bytes on the wire, requests, the HTML's bytes), and its
   largest contentful paint on slow 4G with a 4× slower CPU.
3. bench/bench_advice.py's table.

Targets are printed beside the figures, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtest.client import Client  # noqa: E402
from loadtest.server import Deployment, is_postgres, scratch_postgres  # noqa: E402
from tests.helpers import CHROMIUM_FLAGS, checkin_form, chromium_path  # noqa: E402

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
CHROMIUM = chromium_path() or "/usr/bin/chromium"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
}
SLOW_4G = {"offline": False, "latency": 150, "downloadThroughput": 200_000, "uploadThroughput": 93_750}
LCP_SCRIPT = """
window.__lcp = null;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const tag = entry.element ? entry.element.tagName : null;
    window.__lcp = {time: entry.startTime, tag: tag, size: entry.size};
  }
}).observe({type: "largest-contentful-paint", buffered: true});
"""
PAGE_TARGET, POST_TARGET = 0.5, 0.3


def machine() -> dict:
    cpu = "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    return {"nproc": os.cpu_count(), "cpu": cpu, "load": load}


def wrk(
    url: str, path: str, *, cookie: str, duration: int, connections: int, post_body: str = "", auth: str = ""
) -> dict:
    """wrk on one path; a POST with `auth` is the API's: JSON, a token, 201 expected."""
    env = dict(os.environ)
    env.update(
        WRK_PATH=path,
        WRK_METHOD="POST" if post_body else "GET",
        WRK_COOKIE="" if auth else cookie,
        WRK_BODY=post_body,
        WRK_JSON="1" if auth else "",
        WRK_AUTH=auth,
        WRK_EXPECT=("201" if auth else "302") if post_body else "200",
    )
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(WRK_SCRIPT),
        url + path,
    ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60)  # noqa: S603
    for line in result.stdout.splitlines():
        if line.startswith("WRKJSON "):
            figures = json.loads(line[len("WRKJSON ") :])
            figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
            return figures
    raise RuntimeError(f"wrk gave no figures:\n{result.stdout}\n{result.stderr}")


def api_checkin(form: dict) -> dict:
    """checkin_form()'s check-in as the API takes it: the domain's keys, metric, JSON types."""
    numbers = {"distance": "distance_km", "temperature": "temperature_c", "fluid": "fluid_ml"}
    out: dict = {}
    for name, value in form.items():
        if name == "idempotency_key":
            continue
        key = numbers.get(name, name)
        if value in ("yes", "no"):
            out[key] = value == "yes"
        elif isinstance(value, list) or name in ("started_at", "run_type", "cooldown"):
            out[key] = value
        elif key in ("duration_min", "distance_km", "temperature_c", "humidity_pct"):
            out[key] = float(value)
        else:
            out[key] = int(value)
    return out


def http_table(server_url: str, client: Client, latest_run: int, token: str, deployment, args) -> list[str]:
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    checkin = checkin_form()
    form = {k: v for k, v in checkin.items() if k != "idempotency_key"}
    form["csrfmiddlewaretoken"] = client.token
    body = urlencode(form, doseq=True)
    api_body = json.dumps(api_checkin(checkin))[1:]  # wrk.lua puts the key first: '{"idempotency_key": …, '
    pages = [
        ("hello (baseline)", "/bench/hello", "", ""),
        ("home", "/", "", ""),
        ("history", "/history/", "", ""),
        ("guidance", f"/runs/{latest_run}/", "", ""),
        ("tips: cool-down", "/tips/cooldown/", "", ""),
        ("tips: drinking", "/tips/hydration/", "", ""),
        ("tips: fuelling", "/tips/fuelling/", "", ""),
        # The API's answer holds the advice, judged against the runner's last 35 days: every POST
        # adds a run to that history, so the API's goes first (the page's answer reads no history).
        ("API check-in POST", "/api/v1/checkins", api_body, f"Bearer {token}"),
        ("check-in POST", "/checkin/", body, ""),
    ]
    for _, path, post, _ in pages:  # warm templates and caches
        if not post:
            client.get(path)
    lines = [
        f"wrk -t2 -c{args.connections} -d{args.duration}s, Accept-Encoding: gzip, logged in (session cookie "
        "on every request, the baseline's too); the POSTs send a fresh idempotency_key each request; the "
        "API's POST sends the same check-in as JSON with a token instead of the cookie.",
        "",
        "| page | path | req/s | p50 ms | p99 ms | non-2xx/3xx | not as expected | × baseline | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    baseline = None
    runs_before = deployment.check([])["runs"]
    post_ok = 0
    for name, path, post, auth in pages:
        figures = wrk(
            server_url,
            path,
            cookie=cookie,
            duration=args.duration,
            connections=args.connections,
            post_body=post,
            auth=auth,
        )
        errors = figures["connect"] + figures["read"] + figures["write"] + figures["timeout"]
        if baseline is None:
            baseline = figures["rps"]
            ratio, target = "1.00", ""
        else:
            wanted = POST_TARGET if post else PAGE_TARGET
            value = figures["rps"] / baseline
            ratio = f"{value:.2f}"
            target = f"≥ {wanted}× ({'met' if value >= wanted else 'NOT met'})"
        if post:
            post_ok += figures["requests"] - figures["unexpected"]
        expected = f"{figures['unexpected']}" + (f" (+{errors} socket errors)" if errors else "")
        lines.append(
            f"| {name} | `{path}` | {figures['rps']:.1f} | {figures['p50_us'] / 1000:.1f} | "
            f"{figures['p99_us'] / 1000:.1f} | {figures['non_2xx_3xx']} | {expected} | {ratio} | {target} |"
        )
        print(lines[-1], file=sys.stderr, flush=True)
    stored = deployment.check([])["runs"] - runs_before
    lines += [
        "",
        f"Check-in POSTs answered with a 302 (the page) or a 201 (the API) within the runs: {post_ok}; runs "
        f"stored: {stored} (wrk stops with up to {args.connections} POSTs in flight, which the server still "
        'stores). "Not as expected": a GET not answered 200, a POST not answered 302 (the API\'s: 201).',
    ]
    return lines


def browser_figures(server_url: str, client: Client, runs: int) -> list[str]:
    from playwright.sync_api import sync_playwright

    cookies = [{"name": k, "value": v, "url": server_url} for k, v in client.cookies.items()]
    lines = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            # 1. First visit, empty cache: what crosses the wire.
            context = browser.new_context(**PHONE)
            context.add_cookies(cookies)
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            seen: dict[str, dict] = {}
            cdp.on(
                "Network.responseReceived",
                lambda e: seen.setdefault(e["requestId"], {}).update(
                    url=e["response"]["url"], type=e["type"], status=e["response"]["status"]
                ),
            )
            cdp.on(
                "Network.loadingFinished",
                lambda e: seen.setdefault(e["requestId"], {}).update(bytes=e["encodedDataLength"]),
            )
            page.goto(server_url + "/checkin/", wait_until="networkidle")
            page.wait_for_timeout(300)
            context.close()
            done = [r for r in seen.values() if r.get("url", "data:").startswith("http")]
            total = sum(r.get("bytes", 0) for r in done)
            html = sum(r.get("bytes", 0) for r in done if r["type"] == "Document")
            lines += [
                "First visit of /checkin/, logged in, empty cache (Chromium, CDP encodedDataLength: "
                "headers + body as transferred):",
                "",
                "| measure | value | target |",
                "|---|---:|---|",
                f"| bytes on the wire, total | {total / 1024:.1f} KB ({total} B) | ≤ 60 KB "
                f"({'met' if total <= 60 * 1024 else 'NOT met'}) |",
                f"| requests | {len(done)} | |",
                f"| HTML bytes on the wire | {html / 1024:.1f} KB ({html} B) | ≤ 14 KB "
                f"({'met' if html <= 14 * 1024 else 'NOT met'}) |",
            ]
            # 2. Largest contentful paint on slow 4G, CPU 4× slower, empty cache each time.
            lcps, tags = [], set()
            for _ in range(runs):
                context = browser.new_context(**PHONE)
                context.add_cookies(cookies)
                context.add_init_script(LCP_SCRIPT)
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.emulateNetworkConditions", SLOW_4G)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
                page.goto(server_url + "/checkin/", wait_until="load")
                page.wait_for_timeout(1000)
                lcp = page.evaluate("window.__lcp")
                context.close()
                if lcp:
                    lcps.append(lcp["time"])
                    tags.add(str(lcp["tag"]))
            if lcps:
                median = statistics.median(lcps)
                each = ", ".join(f"{v:.0f}" for v in lcps)
                lines.append(
                    f"| LCP of /checkin/, slow 4G (150 ms, 1.6/0.75 Mbps), CPU ×4, empty cache, median of "
                    f"{len(lcps)} ({each} ms; element {', '.join(sorted(tags))}) | "
                    f"{median / 1000:.2f} s | ≤ 1.0 s ({'met' if median <= 1000 else 'NOT met'}) |"
                )
            else:
                lines.append("| LCP of /checkin/ | no entry reported | ≤ 1.0 s |")
            lines += [
                "",
                "Resources of the first visit:",
                "",
                "| resource | type | status | bytes |",
                "|---|---|---:|---:|",
            ]
            for r in sorted(done, key=lambda r: -r.get("bytes", 0)):
                short = r["url"].replace(server_url, "")
                lines.append(f"| `{short[:70]}` | {r['type']} | {r['status']} | {r.get('bytes', 0)} |")
        finally:
            browser.close()
    return lines


def advice_table() -> list[str]:
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "bench" / "bench_advice.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        return [
            f"bench/bench_advice.py failed ({result.returncode}):",
            "",
            "```",
            result.stderr[-2000:],
            "```",
        ]
    return result.stdout.rstrip().splitlines()


def run(args, database_url: str | None) -> None:
    started = time.monotonic()
    info = machine()
    deployment = Deployment(
        database_url,
        workers=2,
        # Worker recycling (max_requests 2000 ± 200) would restart a worker in the middle of the fast
        # pages' runs and not the slow ones'; off for like-for-like figures.
        # The API's rate limit is raised out of the way of the load (each request still counts).
        extra_env={
            "GUNICORN_MAX_REQUESTS": "0",
            "GUNICORN_ACCESSLOG": args.accesslog,
            "AFTERMATH_API_RATE_LIMIT": "1000000000",
        },
    )
    out = []
    try:
        deployment.prepare()
        seeded = deployment.seed(runners=1, checkins=1500, prefix="bench")
        server = deployment.start()
        client = Client(server.url)
        client.login(seeded["emails"][0], seeded["password"])
        token = deployment.run_module("loadtest.api_token", {"email": seeded["emails"][0]})["token"]
        out += [
            "# Aftermath: load benchmark",
            "",
            f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- machine: {info['nproc']} CPUs (nproc), {info['cpu']}, load average before: {info['load']}",
            f"- Python {platform.python_version()}, database: {deployment.vendor}, gunicorn: 2 sync workers "
            f"on 127.0.0.1 (config/gunicorn.conf.py; access log {args.accesslog!r}, max_requests off), "
            "debug off",
            "- one runner with 1,500 check-ins; wrk and Chromium on the same machine as the server",
            "",
            "## HTTP throughput (wrk)",
            "",
        ]
        out += http_table(server.url, client, seeded["latest_run_ids"][0], token, deployment, args)
        if not args.no_browser:
            out += ["", "## Browser (Debian's Chromium via Playwright, phone viewport 390×844)", ""]
            if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
                out += browser_figures(server.url, client, args.lcp_runs)
            else:
                out.append(f"skipped: no Chromium at {CHROMIUM}")
        server.stop()
        if not args.no_advice:
            out += ["", "## Advice engine (bench/bench_advice.py)", ""]
            out += advice_table()
        out += ["", f"Total time: {time.monotonic() - started:.0f} s."]
    finally:
        deployment.cleanup()
    print("\n".join(out))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--lcp-runs", type=int, default=9, help="cold loads for the LCP median (default 9)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-advice", action="store_true", help="skip bench/bench_advice.py")
    parser.add_argument(
        "--accesslog", default="-", help="gunicorn access log (default '-': stdout, as deployed)"
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    args.duration = max(1, min(args.duration, 60))
    if is_postgres(args.database_url):
        with scratch_postgres(args.database_url) as url:
            run(args, url)
    else:
        run(args, None)


if __name__ == "__main__":
    main()
