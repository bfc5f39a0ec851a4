"""The soak's imports: runners who upload activity files through the import page while the
check-in load runs, the task workers that import them, and a worker killed mid-job.

An uploader is one runner's session (logged in through the log-in form like the check-in
clients). It posts to `import_many` (the real upload URL and form: several files in one
request, or one zip of them) on the web servers in turn, then follows each job on its
progress page as the page's htmx does (a GET every second, on the other server), until
the page says "Done". Each runner keeps at most MAX_OPEN jobs under way (the app allows 3).
Every file is a distinct run (its own start), so every item must end "imported": the
database check (loadtest/importcheck.py) then proves each file became exactly one run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import io
import json
import math
import random
import re
import sqlite3
import threading
import time
import zipfile
from dataclasses import dataclass, field

from loadtest.client import Client, job_id
from loadtest.server import Deployment, TaskWorker, log
from tests.helpers import Point, make_fit, make_gpx

DONE = re.compile(r"Done: (\d+) runs? imported, (\d+) skipped, (\d+) refused")
HTMX = {"HX-Request": "true"}
MAX_OPEN = 2
POLL = 1.0  # the progress page's htmx trigger: every 1s
FIRST_START = dt.datetime(2016, 1, 4, 6, 0, tzinfo=dt.UTC)


@dataclass
class WorkerKill:
    worker: str
    pid: int
    job: int
    at: float
    done: int  # the job's items processed when it was killed
    pending: int
    finished: float | None = None  # when the job's page said "Done"

    @property
    def recovery(self) -> float | None:
        return None if self.finished is None else self.finished - self.at


@dataclass
class Imports:
    """What the uploaders saw; appended to from many threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    jobs: dict = field(default_factory=dict)  # job id -> {"email", "files", "url", "sent", "done", "page"}
    events: list = field(default_factory=list)  # (start, end, kind, outcome)
    unexpected: list = field(default_factory=list)
    kills: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def record(self, start: float, kind: str, outcome) -> None:
        with self.lock:
            self.events.append((start, time.monotonic(), kind, outcome))

    def wrong(self, text: str) -> None:
        with self.lock:
            self.unexpected.append(text)


def small_file(index: int, start: dt.datetime) -> tuple[str, bytes]:
    """A three-minute run as a watch writes it, GPX or FIT by turns (tests/helpers.py)."""
    if index % 2:
        return f"run-{start:%Y%m%d-%H%M}.fit", make_fit(start=start)
    return f"run-{start:%Y%m%d-%H%M}.gpx", make_gpx(start=start)


def real_sized_gpx(start: dt.datetime, minutes: int = 30) -> bytes:
    """A run of `minutes` at a point a second (about 0.1 s to read): a real-sized GPX file."""
    points = tuple(
        Point(
            s, s * 2.9, 140 + s % 25, None, 52.0 + 0.004 * math.sin(s / 300), 4.0 + 0.006 * math.cos(s / 300)
        )
        for s in range(minutes * 60)
    )
    return make_gpx(start=start, points=points)


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(f"activities/{name}", data)
    return buffer.getvalue()


class Uploader:
    """One runner uploading files and following the jobs on their pages."""

    def __init__(self, session: Client, email: str, urls: list[str], imports: Imports, index: int):
        self.clients = [session.clone(url) for url in urls]
        self.email = email
        self.imports = imports
        self.index = index
        self.day = 0  # each file starts a day after the last: every file a distinct run
        self.open: list[int] = []
        self.uploads = 0

    def starts(self, count: int) -> list[dt.datetime]:
        first = FIRST_START + dt.timedelta(hours=self.index % 12)
        days = range(self.day, self.day + count)
        self.day += count
        return [first + dt.timedelta(days=day) for day in days]

    def upload(self, files: list[tuple[str, bytes]], *, as_zip: bool) -> int | None:
        """POST the files to import_many on the next server: as they are, or in one zip."""
        client = self.clients[self.uploads % len(self.clients)]
        self.uploads += 1
        if as_zip:
            parts = [("files", f"export-{self.index}-{self.uploads}.zip", zip_of(files))]
        else:
            parts = [("files", name, data) for name, data in files]
        start = time.monotonic()
        try:
            response = client.post_files("/import/many/", parts)
        except (OSError, http.client.HTTPException):
            self.imports.record(start, "upload", "conn")
            self.imports.wrong(f"upload to {client.port}: connection error (the job may or may not exist)")
            return None
        self.imports.record(start, "upload", response.status)
        pk = job_id(response)
        if pk is None:
            self.imports.wrong(f"POST /import/many/ -> {response.status} {response.location}")
            return None
        with self.imports.lock:
            self.imports.jobs[pk] = {
                "email": self.email,
                "files": len(files),
                "url": client.port,
                "sent": start,
                "done": None,
                "page": None,
            }
        self.open.append(pk)
        return pk

    def poll(self) -> None:
        """Look at each open job's progress page once (on the server it was not sent to)."""
        for pk in list(self.open):
            job = self.imports.jobs[pk]
            client = next((c for c in self.clients if c.port != job["url"]), self.clients[0])
            start = time.monotonic()
            try:
                response = client.get(f"/import/{pk}/", headers=HTMX)
            except (OSError, http.client.HTTPException):
                self.imports.record(start, "progress", "conn")
                continue
            self.imports.record(start, "progress", response.status)
            if response.status != 200:
                if response.status < 500:
                    self.imports.wrong(f"GET /import/{pk}/ -> {response.status}")
                continue
            done = DONE.search(response.text)
            if done:
                with self.imports.lock:
                    job["done"] = time.monotonic()
                    job["page"] = tuple(int(n) for n in done.groups())
                    for kill in self.imports.kills:
                        if kill.job == pk:
                            kill.finished = job["done"]
                self.open.remove(pk)


def uploader_loop(uploader: Uploader, deadline: float, seed: int, sizes: tuple[int, int]) -> None:
    """Until the deadline: upload a batch of small files (as they are, or zipped, by turns)
    whenever fewer than MAX_OPEN jobs are under way; follow the jobs' pages."""
    rng = random.Random(seed)
    try:
        while time.monotonic() < deadline:
            uploader.poll()
            if len(uploader.open) < MAX_OPEN:
                count = rng.randint(*sizes)
                files = [small_file(i, start) for i, start in enumerate(uploader.starts(count))]
                uploader.upload(files, as_zip=uploader.uploads % 2 == 1)
            time.sleep(POLL / 2)
    except Exception as error:  # a crashed uploader is a failed run, not a silent one
        uploader.imports.wrong(f"uploader crashed: {error!r}")


def follow_until_done(uploaders: list[Uploader], timeout: float) -> float:
    """Follow every open job's page until all say "Done" or `timeout` s pass; the time taken."""
    start = time.monotonic()
    while any(u.open for u in uploaders) and time.monotonic() - start < timeout:
        for uploader in uploaders:
            uploader.poll()
        time.sleep(POLL)
    waiting = [pk for u in uploaders for pk in u.open]
    if waiting:
        uploaders[0].imports.problems.append(f"jobs not done {timeout:.0f} s after the load: {waiting[:5]}")
    return time.monotonic() - start


# --- the database, read directly (no Django in this process) ---------------------------


@contextlib.contextmanager
def database(deployment: Deployment):
    """A plain DB-API connection to the deployment's database, and its placeholder."""
    if deployment.vendor == "postgresql":
        import psycopg

        url = deployment.database_url.replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url, autocommit=True) as conn:
            yield conn, "%s"
    else:
        path = deployment.tmp / "data" / "aftermath.sqlite3"
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            yield conn, "?"
        finally:
            conn.close()


def running_jobs(deployment: Deployment) -> list[dict]:
    """Jobs whose task is running now: the worker's id, and the job's items done and pending."""
    found = []
    with database(deployment) as (conn, mark):
        cursor = conn.cursor()
        cursor.execute(
            "SELECT worker_ids, args_kwargs FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
        )
        for worker_ids, args in cursor.fetchall():
            worker_ids = json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids
            args = json.loads(args) if isinstance(args, str) else args
            job = int(args["args"][0])
            pending_sql = "SELECT SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), COUNT(*) "
            cursor.execute(pending_sql + f"FROM checkins_importitem WHERE job_id = {mark}", [job])
            pending, total = cursor.fetchone()
            cursor.execute(f"SELECT lease_holder FROM checkins_importjob WHERE id = {mark}", [job])  # noqa: S608
            (holder,) = cursor.fetchone()
            found.append(
                {
                    "job": job,
                    "worker": worker_ids[-1] if worker_ids else "",
                    "pending": int(pending or 0),
                    "done": int(total or 0) - int(pending or 0),
                    "leased": bool(holder),
                }
            )
    return found


def kill_worker_mid_job(
    deployment: Deployment, workers: list[TaskWorker], imports: Imports, job: int, wait: float = 30.0
) -> WorkerKill | None:
    """SIGKILL the task worker that holds `job`, once it has done some items and has many left."""
    by_id = {worker.worker_id: worker for worker in workers if worker.alive()}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            running = running_jobs(deployment)
        except Exception as error:  # a locked or busy database: look again
            log(f"looking for a running job: {error!r}")
            running = []
        for row in running:
            worker = by_id.get(row["worker"])
            if row["job"] == job and worker and row["leased"] and row["done"] >= 3 and row["pending"] >= 5:
                kill = WorkerKill(
                    worker.worker_id, worker.pid, job, time.monotonic(), row["done"], row["pending"]
                )
                worker.kill()
                log(
                    f"SIGKILL task worker {worker.pid} mid-job {job}: "
                    f"{row['done']} items done, {row['pending']} left"
                )
                with imports.lock:
                    imports.kills.append(kill)
                return kill
        time.sleep(0.05)
    imports.problems.append(
        f"job {job} was never seen mid-way on a worker within {wait:.0f} s: nothing killed"
    )
    return None


# --- the verdict ---------------------------------------------------------------------


CHECKS = {  # importcheck's counts that must be 0, and what each means
    "unfinished": "jobs not finished",
    "pending": "items never processed",
    "items_vs_files": "jobs whose items are not one per file sent",
    "not_imported": "files skipped or refused",
    "runs_vs_items": "runners whose runs are not exactly their imported items",
    "shared_runs": "runs shared by two items",
    "itemless": "imported items without their run",
    "wrong_keys": "runs whose idempotency key is not their item's",
    "duplicates": "idempotency keys stored twice",
    "stuck": "finished jobs still holding a lease, their uploads or a queued task",
}


def verdict(deployment: Deployment, imports: Imports, workers: int, in_window) -> tuple[dict, list[str]]:
    """Figures and problems of the imports (in_window(t): within a fault of the check-in load)."""
    jobs = {str(pk): {"email": job["email"], "files": job["files"]} for pk, job in imports.jobs.items()}
    check = deployment.run_module("loadtest.importcheck", {"jobs": jobs})
    failures = [e for e in imports.events if e[3] == "conn" or (isinstance(e[3], int) and e[3] >= 500)]
    outside = [e for e in failures if not in_window(e[1])]
    done = [job["done"] - job["sent"] for job in imports.jobs.values() if job["done"] is not None]
    figures = {
        "task_workers": workers,
        "import_jobs": check["jobs"],
        "import_files": check["files"],
        "imported": check["imported"],
        "import_runs": check["runs"],
        **{f"import_{key}": check[key] for key in CHECKS},
        "import_errors": len(outside),
        "import_unexpected": len(imports.unexpected),
        "job_p50_s": sorted(done)[len(done) // 2] if done else 0,
        "job_max_s": max(done, default=0),
        "worker_kills": len(imports.kills),
        "killed_job_done_s": ",".join(
            f"{k.recovery:.1f}" if k.recovery is not None else "never" for k in imports.kills
        )
        or "-",
        "tasks": check["tasks"],
        "tasks_by_worker": check["tasks_by_worker"],
        "reasons": check["reasons"],
    }
    problems = list(imports.problems)
    if not check["jobs"]:
        problems.append("no import job was started")
    if check["found"] != check["jobs"]:
        problems.append(f"{check['jobs'] - check['found']} acknowledged import jobs not in the database")
    for key, meaning in CHECKS.items():
        if check[key]:
            problems.append(f"imports: {check[key]} {meaning}")
    if check["imported"] != check["files"] or check["runs"] != check["files"]:
        problems.append(
            f"imports: {check['files']} files sent, {check['imported']} imported, {check['runs']} runs"
        )
    if outside:
        problems.append(f"imports: {len(outside)} 5xx or connection errors outside a fault's window")
    if imports.unexpected:
        problems.append(
            f"imports: {len(imports.unexpected)} unexpected answers, e.g. {imports.unexpected[:3]}"
        )
    for kill in imports.kills:
        if kill.recovery is None:
            problems.append(f"job {kill.job} never finished after its worker {kill.pid} was killed")
    return figures, problems
