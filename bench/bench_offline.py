"""The check-in page's repeat visit through the service worker, on slow 4G (a program, not a test).

    .venv/bin/python bench/bench_offline.py [--runs 7]

gunicorn with debug off and collected static files (loadtest.server.Deployment), one runner,
Debian's Chromium at 390×844 with the CPU 4× slower, as loadtest/bench_http.py measures the
first visit. The slow 4G link (150 ms round trip, 1.6 Mbps down, 0.75 Mbps up: the figures of
bench_http's SLOW_4G) is a small TCP proxy in front of the server rather than Chromium's
network emulation, which applies to the page but not to its service worker's fetches. Prints
the largest contentful paint (median of --runs loads) of:

- the first visit (empty cache),
- a repeat visit through the service worker (online: the page from the network, the shell
  from the phone),
- the same repeat visit with service workers blocked (the browser's HTTP cache only),
- a repeat visit with no connection at all (the service worker's copy).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtest.bench_http import CHROMIUM, LCP_SCRIPT, PHONE  # noqa: E402
from loadtest.client import Client  # noqa: E402
from loadtest.server import Deployment, free_port  # noqa: E402
from tests.helpers import CHROMIUM_FLAGS  # noqa: E402

ONE_WAY_S = 0.075  # half of bench_http's 150 ms latency, each way
DOWN_BYTES_PER_S = 200_000  # 1.6 Mbps
UP_BYTES_PER_S = 93_750  # 0.75 Mbps


class SlowLink:
    """A TCP proxy that delays each chunk by ONE_WAY_S and shares one bandwidth per direction
    between all connections (as one phone's radio does)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.port = free_port()
        self.free_at = {"down": 0.0, "up": 0.0}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready.wait(10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._connection, "127.0.0.1", self.port)
        )
        self.ready.set()
        self.loop.run_forever()

    async def _connection(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, server_writer, "up", UP_BYTES_PER_S),
            self._pipe(server_reader, client_writer, "down", DOWN_BYTES_PER_S),
        )

    async def _pipe(self, reader, writer, direction: str, rate: int) -> None:
        queue: asyncio.Queue = asyncio.Queue()

        async def read() -> None:
            try:
                while data := await reader.read(16384):
                    queue.put_nowait((time.monotonic() + ONE_WAY_S, data))
            except OSError:
                pass
            queue.put_nowait((0.0, b""))

        async def write() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    break
                start = max(due, self.free_at[direction])
                self.free_at[direction] = start + len(data) / rate
                await asyncio.sleep(max(0.0, self.free_at[direction] - time.monotonic()))
                try:
                    writer.write(data)
                    await writer.drain()
                except OSError:
                    break
            writer.close()

        await asyncio.gather(read(), write())


def lcp_of(context, url: str) -> float | None:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
    page.goto(url, wait_until="load")
    page.wait_for_timeout(1000)
    lcp = page.evaluate("window.__lcp")
    page.close()
    return lcp["time"] if lcp else None


def warm(context, url: str, *, worker: bool) -> None:
    """The visit before: the service worker installed and the page kept (when allowed)."""
    page = context.new_page()
    page.goto(url, wait_until="load")
    if worker:
        page.wait_for_function("() => navigator.serviceWorker.ready.then((reg) => !!reg.active)")
        page.wait_for_function("() => caches.match('/checkin/').then((kept) => !!kept)")
    page.wait_for_timeout(500)
    page.close()


def figures(link: SlowLink, cookies: list[dict], runs: int) -> list[tuple[str, list[float]]]:
    from playwright.sync_api import sync_playwright

    url = link.url + "/checkin/"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

        def context(**extra):
            made = browser.new_context(**PHONE, **extra)
            made.add_cookies(cookies)
            made.add_init_script(LCP_SCRIPT)
            return made

        try:
            first = []
            for _ in range(runs):
                fresh = context()
                first.append(lcp_of(fresh, url))
                fresh.close()
            results.append(("first visit, empty cache", first))
            for name, worker, offline in (
                ("repeat visit through the service worker", True, False),
                ("repeat visit, service workers blocked (HTTP cache only)", False, False),
                ("repeat visit with no connection (the service worker's copy)", True, True),
            ):
                made = context(service_workers="allow" if worker else "block")
                warm(made, url, worker=worker)
                made.set_offline(offline)
                results.append((name, [lcp_of(made, url) for _ in range(runs)]))
                made.close()
        finally:
            browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=7, help="loads per figure (default 7)")
    args = parser.parse_args()
    deployment = Deployment(workers=2)
    try:
        deployment.prepare()
        seeded = deployment.seed(runners=1, checkins=100, prefix="bench")
        server = deployment.start()
        client = Client(server.url)
        client.login(seeded["emails"][0], seeded["password"])
        link = SlowLink(int(server.url.rsplit(":", 1)[1]))
        cookies = [{"name": k, "value": v, "url": link.url} for k, v in client.cookies.items()]
        rows = figures(link, cookies, max(1, args.runs))
    finally:
        deployment.cleanup()
    print("Largest contentful paint of /checkin/, logged in, slow 4G (150 ms, 1.6/0.75 Mbps, through")
    print("a proxy), CPU ×4, Chromium at 390×844; gunicorn, debug off, collected static files\n")
    print("| visit | median LCP | each (ms) |")
    print("|---|---:|---|")
    for name, values in rows:
        seen = [v for v in values if v is not None]
        median = f"{statistics.median(seen) / 1000:.2f} s" if seen else "no entry"
        print(f"| {name} | {median} | {', '.join(f'{v:.0f}' for v in seen)} |")


if __name__ == "__main__":
    main()
