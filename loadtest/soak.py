"""Soak and fault tests of Aftermath under gunicorn: prints a summary, exits 1 on a broken invariant.

    .venv/bin/python loadtest/soak.py            # make soak: about 7 minutes
    .venv/bin/python loadtest/soak.py --short    # tests/test_soak_short.py: under a minute

Every client is a thread with its own session, logged in through the log-in form.
Clients mix check-in POSTs (a fresh idempotency key each; now and then the same
key twice at once, as a double tap would) and history GETs. A POST answered with a
connection error or a 5xx is resent with the same key, as the app's form would be.
A check-in is acknowledged by a 302 to /runs/<id>/.

Parts:
  a  mixed load: 50 clients for 60 s (short: 10 for 8 s), gunicorn with 2 workers.
  b  SQLite, 32 concurrent writers: gunicorn with 2 workers x 16 threads, so 32 requests
     write at once; no "database is locked" in the log or any response.
  c  faults mid-load: SIGKILL of one gunicorn worker (found as a child of the master
     in /proc) and, at the same moment, SIGKILL of the task worker that is importing a
     large job (150 real-sized GPX files; short: 60) mid-job, found by its worker id on
     the job's running task; a fast restart of PostgreSQL (a throwaway cluster this
     script starts as user postgres; root only). Service must answer 2xx again within
     5 s, and the killed worker's job must finish on the other worker (after its lease
     runs out: 90 s; in --short 8 s, loadtest/worker.py) with every file imported once.
  d  two gunicorn instances on two ports sharing one PostgreSQL, and two task workers
     (`manage.py worker`), check-in clients and uploaders spread over both servers.

Imports (parts c and d, loadtest/imports.py): two `manage.py worker` processes run
beside the web servers from the start (a killed one is replaced before part d, as a
process manager would). Uploaders are runners of their own who post many small GPX and
FIT files, or a zip of them, to the real upload page (`import_many`) on each server in
turn, at most 2 jobs under way each, and follow every job on its progress page until
it says "Done". Every file is a distinct run, so every item must be imported, and each
exactly once: every job finished, no item pending, each imported item has its own run
carrying its own idempotency key, each uploader's runs are exactly its imported items,
no key stored twice, and no finished job left holding a lease, its uploads or a task
(loadtest/importcheck.py).

Invariants (exit 1 if one fails): every acknowledged check-in is stored exactly once
(the run id acknowledged is the row holding its key), both halves of a double submit
get the same run, no run without its check-in (imported runs aside), no 5xx or connection error outside a
fault's window, no unexpected answer, no "database is locked", recovery within 5 s;
and for imports the invariants above.

The database: SQLite in a throwaway folder unless --database-url names PostgreSQL
(then a scratch database is created beside it and dropped after). Part b always runs
on SQLite. Part c's PostgreSQL restart and part d use the script's own cluster when
it can start one (root, binaries in /usr/lib/postgresql), else part d uses
--database-url if it is PostgreSQL, else it is skipped with the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import signal
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtest import imports as importing  # noqa: E402
from loadtest.client import Client, run_id  # noqa: E402
from loadtest.server import (  # noqa: E402
    Deployment,
    PgCluster,
    can_run_cluster,
    is_postgres,
    log,
    scratch_postgres,
)
from tests.helpers import checkin_form  # noqa: E402

say = log  # progress on stderr


RECOVERY_LIMIT = 5.0  # seconds from a fault to service again
FAULT_SEARCH = 15.0  # failures this long after a fault belong to its window
RETRY_FOR = 15.0  # a client resends a failed POST for this long after the load ends
RETRY_PAUSE = 0.2
LOCKED = "database is locked"


@dataclass
class Fault:
    name: str
    start: float
    end: float = 0.0
    back: float | None = None  # when the service answered 2xx/3xx again

    @property
    def recovery(self) -> float | None:
        return None if self.back is None else self.back - self.start


@dataclass
class Load:
    """Everything the clients saw; appended to from many threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    events: list = field(default_factory=list)  # (start, end, kind, outcome): outcome an int status or "conn"
    acks: dict = field(default_factory=dict)  # key -> run id acknowledged
    conflicts: list = field(default_factory=list)  # (key, id, other id): one key, two runs acknowledged
    sent: set = field(default_factory=set)
    doubles: list = field(default_factory=list)  # keys sent twice at once
    unexpected: list = field(default_factory=list)
    locked_answers: int = 0
    urls: list = field(default_factory=list)  # the gunicorn instances the clients used

    def record(self, start: float, kind: str, outcome, body: bytes = b"") -> None:
        with self.lock:
            self.events.append((start, time.monotonic(), kind, outcome))
            if isinstance(outcome, int) and outcome >= 500 and LOCKED.encode() in body:
                self.locked_answers += 1

    def ack(self, key: str, pk: int) -> None:
        with self.lock:
            other = self.acks.setdefault(key, pk)
            if other != pk:
                self.conflicts.append((key, other, pk))


def ok(outcome) -> bool:
    return isinstance(outcome, int) and outcome < 400


def failed(outcome) -> bool:
    return outcome == "conn" or (isinstance(outcome, int) and outcome >= 500)


def post_checkin(client: Client, load: Load, key: str, give_up: float) -> None:
    """POST one check-in; resend the same key after a connection error or a 5xx."""
    with load.lock:
        load.sent.add(key)
    form = checkin_form(key)
    while True:
        start = time.monotonic()
        try:
            response = client.post("/checkin/", form)
        except (OSError, http.client.HTTPException):
            load.record(start, "post", "conn")
        else:
            load.record(start, "post", response.status, response.body)
            pk = run_id(response)
            if pk is not None:
                load.ack(key, pk)
                return
            if response.status < 500:
                with load.lock:
                    load.unexpected.append(f"POST /checkin/ -> {response.status} {response.location}")
                return
        if time.monotonic() > give_up:
            return
        time.sleep(RETRY_PAUSE)


def get_history(client: Client, load: Load) -> None:
    start = time.monotonic()
    try:
        response = client.get("/history/")
    except (OSError, http.client.HTTPException):
        load.record(start, "get", "conn")
        return
    load.record(start, "get", response.status, response.body)
    if response.status != 200 and response.status < 500:
        with load.lock:
            load.unexpected.append(f"GET /history/ -> {response.status} {response.location}")


def client_loop(client: Client, load: Load, deadline: float, seed: int, mix: tuple[float, float]) -> None:
    """Until the deadline: a double submit (mix[0]), a POST (mix[1]) or a history GET (the rest)."""
    try:
        client_steps(client, load, deadline, seed, mix)
    except Exception as error:  # a crashed client is a failed run, not a silent one
        with load.lock:
            load.unexpected.append(f"client crashed: {error!r}")


def client_steps(client: Client, load: Load, deadline: float, seed: int, mix: tuple[float, float]) -> None:
    rng = random.Random(seed)
    give_up = deadline + RETRY_FOR
    while time.monotonic() < deadline:
        draw = rng.random()
        if draw < mix[0]:
            key = str(uuid.uuid4())
            with load.lock:
                load.doubles.append(key)
            twin = client.clone()
            barrier = threading.Barrier(2)

            def second(twin=twin, key=key, barrier=barrier):
                try:
                    barrier.wait(timeout=10)
                    post_checkin(twin, load, key, give_up)
                except Exception as error:
                    with load.lock:
                        load.unexpected.append(f"client crashed: {error!r}")

            helper = threading.Thread(target=second)
            helper.start()
            barrier.wait(timeout=10)
            post_checkin(client, load, key, give_up)
            helper.join()
        elif draw < mix[0] + mix[1]:
            post_checkin(client, load, str(uuid.uuid4()), give_up)
        else:
            get_history(client, load)


def run_load(
    sessions: list[Client],
    urls: list[str],
    clients: int,
    duration: float,
    mix: tuple[float, float],
    fault=None,
) -> tuple[Load, list[Fault]]:
    """`clients` threads (client i on urls[i % len(urls)], session i % len(sessions)) for `duration` s.

    `fault(load)` runs in this thread at half time and returns the Faults it caused.
    """
    load = Load(urls=list(urls))
    say(f"load: {clients} clients on {', '.join(urls)} for {duration:.0f} s")
    deadline = time.monotonic() + duration
    threads = []
    for i in range(clients):
        client = sessions[i % len(sessions)].clone(urls[i % len(urls)])
        thread = threading.Thread(target=client_loop, args=(client, load, deadline, 1000 + i, mix))
        threads.append(thread)
        thread.start()
    faults: list[Fault] = []
    if fault is not None:
        time.sleep(duration / 2)
        faults = fault(load)
    for thread in threads:
        thread.join(timeout=duration + RETRY_FOR + 120)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("a client thread did not finish")
    for item in faults:
        settle_fault(item, load)
    return load, faults


def settle_fault(fault: Fault, load: Load) -> None:
    """The service is back at the first good answer after the last failure near the fault.

    Clients resend failed POSTs every 0.2 s, so failures keep coming while the service is
    down; the first good answer after the last of them marks its return. (Not "the first
    request sent after the fault": under a closed loop that would add the queue's wait.)
    """
    window = [e for e in load.events if fault.start <= e[1] <= fault.start + FAULT_SEARCH]
    failures = [e[1] for e in window if failed(e[3])]
    after = max([*failures, fault.start])
    good = [e[1] for e in load.events if e[1] > after and ok(e[3])]
    fault.back = min(good) if good else None


def in_window(t: float, faults: list[Fault]) -> bool:
    return any(f.start <= t <= (f.back if f.back is not None else f.start + FAULT_SEARCH) for f in faults)


@dataclass
class Result:
    part: str
    scenario: str
    database: str
    servers: int
    clients: int
    duration: float
    figures: dict
    problems: list[str]
    imports: dict | None = None  # loadtest.imports.verdict's figures, for parts with imports


def analyse(
    part: str,
    scenario: str,
    deployment: Deployment,
    load: Load,
    faults: list[Fault],
    imports: importing.Imports | None = None,
    **info,
) -> Result:
    check = deployment.check(sorted(load.sent))
    rows: dict = check["rows"]
    acked = load.acks
    lost = [k for k in acked if k not in rows]
    duplicated = [k for k in acked if len(rows.get(k, [])) > 1]
    mismatched = [k for k, pk in acked.items() if k in rows and pk not in rows[k]]
    stored = sum(1 for k, pk in acked.items() if rows.get(k) == [pk])
    doubles_once = sum(1 for k in load.doubles if len(rows.get(k, [])) == 1)
    unacked_stored = sum(1 for k in load.sent if k in rows and k not in acked)
    statuses = Counter(e[3] for e in load.events)
    server_errors = [e for e in load.events if isinstance(e[3], int) and e[3] >= 500]
    conn_errors = [e for e in load.events if e[3] == "conn"]
    outside_5xx = [e for e in server_errors if not in_window(e[1], faults)]
    outside_conn = [e for e in conn_errors if not in_window(e[1], faults)]
    latencies = sorted(e[1] - e[0] for e in load.events if ok(e[3]))
    logs = [*deployment.servers, *deployment.task_workers]
    locked_in_log = sum(process.log_text().lower().count(LOCKED) for process in logs)
    figures = {
        "requests": len(load.events),
        "rps": len(load.events) / info["duration"],
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0,
        "p99_ms": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))] * 1000 if latencies else 0,
        "acknowledged": len(acked),
        "stored": stored,
        "lost": len(lost),
        "duplicates": len(duplicated) + check["duplicates"],
        "mismatched": len(mismatched) + len(load.conflicts),
        "double_submits": len(load.doubles),
        "doubles_stored_once": doubles_once,
        "unacked_stored": unacked_stored,
        "partial": check["partial"],
        "5xx_total": len(server_errors),
        "server_errors": len(outside_5xx),
        "conn_errors_total": len(conn_errors),
        "conn_errors": len(outside_conn),
        "unexpected": len(load.unexpected),
        "locked": locked_in_log + load.locked_answers,
        "statuses": dict(sorted((str(k), v) for k, v in statuses.items())),
        "faults": [(f.name, f.recovery) for f in faults],
    }
    problems = []
    if lost:
        problems.append(f"{len(lost)} acknowledged check-ins lost, e.g. {lost[:3]}")
    if figures["duplicates"]:
        problems.append(f"{figures['duplicates']} keys stored more than once")
    if figures["mismatched"]:
        problems.append(f"{figures['mismatched']} keys acknowledged with another run than stored")
    if doubles_once != len(load.doubles):
        problems.append(f"double submits stored once: {doubles_once} of {len(load.doubles)}")
    if figures["partial"]:
        problems.append(f"{figures['partial']} runs without their check-in")
    if outside_5xx:
        problems.append(f"{len(outside_5xx)} 5xx answers outside a fault's window")
    if outside_conn:
        problems.append(f"{len(outside_conn)} connection errors outside a fault's window")
    if load.unexpected:
        problems.append(f"{len(load.unexpected)} unexpected answers, e.g. {load.unexpected[:3]}")
    if figures["locked"]:
        problems.append(f'"{LOCKED}" {figures["locked"]} times (log and answers)')
    if not acked:
        problems.append("no check-in acknowledged at all")
    for fault in faults:
        if fault.recovery is None:
            problems.append(f"{fault.name}: no good answer after the fault")
        elif fault.recovery > RECOVERY_LIMIT:
            problems.append(
                f"{fault.name}: service back after {fault.recovery:.2f} s (> {RECOVERY_LIMIT:.0f} s)"
            )
    servers = len(load.urls)
    import_figures = None
    if imports is not None:
        alive = sum(1 for worker in deployment.task_workers if worker.alive())
        workers = alive + len(imports.kills)  # the workers that ran during the part
        import_figures, import_problems = importing.verdict(
            deployment, imports, workers, lambda t: in_window(t, faults)
        )
        problems += import_problems
    return Result(
        part,
        scenario,
        deployment.vendor,
        servers,
        info["clients"],
        info["duration"],
        figures,
        problems,
        import_figures,
    )


def login_all(url: str, emails: list[str], password: str) -> list[Client]:
    def one(email: str) -> Client:
        client = Client(url)
        client.login(email, password)
        return client

    say(f"logging in {len(emails)} runners")
    with ThreadPoolExecutor(max_workers=4) as pool:
        sessions = list(pool.map(one, emails))
    say("logged in")
    return sessions


# --- faults ----------------------------------------------------------------


def kill_a_worker(server):
    def fault(load: Load) -> list[Fault]:
        workers = server.worker_pids()
        if not workers:
            raise RuntimeError(f"no worker found under gunicorn master {server.pid}")
        item = Fault(f"SIGKILL worker {workers[0]}", time.monotonic())
        os.kill(workers[0], signal.SIGKILL)
        item.end = time.monotonic()
        return [item]

    return fault


def restart_postgres(cluster: PgCluster):
    def fault(load: Load) -> list[Fault]:
        item = Fault("PostgreSQL restart -m fast", time.monotonic())
        cluster.restart()
        item.end = time.monotonic()
        return [item]

    return fault


# --- the parts -----------------------------------------------------------------


@dataclass
class Plan:
    a_clients: int
    a_duration: float
    b_writers: int
    b_duration: float
    c_clients: int
    c_duration: float
    d_clients: int
    d_duration: float
    runners: int
    checkins_each: int
    uploaders: int  # part d: runners uploading files beside the check-in clients
    upload_sizes: tuple[int, int]  # files in one upload, at least and at most
    big_job: int  # part c: real-sized GPX files in the job whose worker is killed
    lease: float | None  # the import lease of the task workers (None: the real 90 s)
    stall_check: float  # seconds between a worker's looks for stalled jobs
    import_wait: float  # seconds the jobs have to finish after a part's load


FULL = Plan(
    50, 60, 32, 20, 20, 20, 40, 30, runners=50, checkins_each=100, uploaders=4, upload_sizes=(5, 30),
    big_job=150, lease=None, stall_check=5, import_wait=240,
)  # fmt: skip
SHORT = Plan(
    10, 8, 32, 4, 10, 6, 6, 6, runners=6, checkins_each=20, uploaders=2, upload_sizes=(3, 10),
    big_job=60, lease=8, stall_check=1, import_wait=60,
)  # fmt: skip
TASK_WORKERS = 2
MIX = (0.1, 0.45)  # 10 % double submits, 45 % POSTs, 45 % history GETs
WRITERS_MIX = (0.1, 0.9)  # writers only


def primary_parts(
    plan: Plan, deployment: Deployment, parts: set[str], results: list[Result], *, shared: bool
) -> None:
    """a, c's kills, then b (SQLite) or, with `shared`, d on a second instance of this database."""
    deployment.prepare()
    server = deployment.start(wait=False)  # boots while the runners are seeded
    second = deployment.start(wait=False) if shared and "d" in parts else None
    writers = None
    if "b" in parts and deployment.vendor == "sqlite":
        writers = deployment.start(workers=2, extra_env=WRITERS_ENV, wait=False)
    with_imports = bool(parts & {"c", "d"})
    workers = start_workers(plan, deployment) if with_imports else []
    seeded, uploaders = seed_both(plan, deployment, imports=with_imports)
    for booting in deployment.servers:
        booting.wait_healthy()
    sessions = login_all(server.url, seeded["emails"], seeded["password"])
    import_sessions = login_all(server.url, uploaders["emails"], uploaders["password"]) if uploaders else []
    if "a" in parts:
        load, faults = run_load(sessions, [server.url], plan.a_clients, plan.a_duration, MIX)
        results.append(
            analyse(
                "a", "mixed load", deployment, load, faults, clients=plan.a_clients, duration=plan.a_duration
            )
        )
    if "c" in parts:
        imports = importing.Imports()
        big = importing.Uploader(import_sessions[0], uploaders["emails"][0], [server.url], imports, 0)
        files = [
            (f"long-run-{i}.gpx", importing.real_sized_gpx(start))
            for i, start in enumerate(big.starts(plan.big_job))
        ]
        # Uploaded when the faults strike, so that however fast the worker, the job is
        # under way then; the runner keeps its progress page open, as its htmx polls.
        follow = ThreadPoolExecutor(max_workers=1)
        following = []

        def kill_both(load: Load) -> list[Fault]:
            job = big.upload(files, as_zip=True)
            if job is None:
                raise RuntimeError(f"the large import was not accepted: {imports.unexpected}")
            say(f"import job {job}: {len(files)} real-sized GPX files in a zip")
            following.append(
                follow.submit(importing.follow_until_done, [big], plan.c_duration + plan.import_wait)
            )
            killed = kill_a_worker(server)(load)
            importing.kill_worker_mid_job(deployment, workers, imports, job)
            return killed

        load, faults = run_load(sessions, [server.url], plan.c_clients, plan.c_duration, MIX, kill_both)
        if not following:
            raise RuntimeError("the faults of part c never struck")
        waited = following[0].result() - plan.c_duration
        follow.shutdown()
        say(f"imports done {max(waited, 0):.1f} s after the load")
        results.append(
            analyse(
                "c",
                "worker SIGKILL (gunicorn and task worker)",
                deployment,
                load,
                faults,
                imports,
                clients=plan.c_clients,
                duration=plan.c_duration,
            )
        )
        # A process manager starts a new worker in place of the killed one (for part d).
        while second is not None and sum(1 for worker in workers if worker.alive()) < TASK_WORKERS:
            workers.append(start_worker(plan, deployment))
    if second is not None:
        two_instances(
            plan,
            deployment,
            sessions,
            [server.url, second.url],
            results,
            list(zip(import_sessions, uploaders["emails"], strict=True))[1:],
        )
    if writers is not None:
        writers_part(plan, deployment, sessions, results, writers)


def start_worker(plan: Plan, deployment: Deployment):
    return deployment.start_worker(stall_check=plan.stall_check, lease=plan.lease)


def start_workers(plan: Plan, deployment: Deployment) -> list:
    return [start_worker(plan, deployment) for _ in range(TASK_WORKERS)]


def seed_both(plan: Plan, deployment: Deployment, *, imports: bool) -> tuple[dict, dict | None]:
    """The check-in runners and (with `imports`) the uploaders, who have no runs of their own:
    their runs must be exactly the files they import."""
    if not imports:
        return deployment.seed(runners=plan.runners, checkins=plan.checkins_each, prefix="soak"), None
    with ThreadPoolExecutor(max_workers=2) as pool:
        checkins = pool.submit(
            deployment.seed, runners=plan.runners, checkins=plan.checkins_each, prefix="soak"
        )
        uploaders = pool.submit(deployment.seed, runners=plan.uploaders + 1, checkins=0, prefix="import")
        return checkins.result(), uploaders.result()


def two_instances(
    plan: Plan,
    deployment: Deployment,
    sessions,
    urls: list[str],
    results: list[Result],
    import_sessions: list[tuple[Client, str]],
) -> None:
    """Check-in clients and uploaders spread over both servers; the task workers import."""
    imports = importing.Imports()
    uploaders = [
        importing.Uploader(session, email, urls, imports, index)
        for index, (session, email) in enumerate(import_sessions[: plan.uploaders], start=1)
    ]
    deadline = time.monotonic() + plan.d_duration
    threads = [
        threading.Thread(
            target=importing.uploader_loop, args=(u, deadline, 2000 + u.index, plan.upload_sizes)
        )
        for u in uploaders
    ]
    for thread in threads:
        thread.start()
    load, faults = run_load(sessions, urls, plan.d_clients, plan.d_duration, MIX)
    for thread in threads:
        thread.join(timeout=plan.import_wait)
    waited = importing.follow_until_done(uploaders, plan.import_wait)
    say(f"imports done {waited:.1f} s after the load")
    workers = sum(1 for worker in deployment.task_workers if worker.alive())
    results.append(
        analyse(
            "d",
            f"two instances and {workers} task workers sharing PostgreSQL",
            deployment,
            load,
            faults,
            imports,
            clients=plan.d_clients,
            duration=plan.d_duration,
        )
    )


WRITERS_ENV = {"GUNICORN_THREADS": "16"}


def writers_part(plan: Plan, deployment: Deployment, sessions, results: list[Result], server=None) -> None:
    """32 requests writing at once: 2 workers x 16 threads on one SQLite file (gunicorn's gthread worker).

    `sessions`: logged-in clients of an earlier server on this database, or the seed (log in here).
    """
    server = server or deployment.start(workers=2, extra_env=WRITERS_ENV)
    if isinstance(sessions, dict):
        sessions = login_all(server.url, sessions["emails"], sessions["password"])
    sessions = [s.clone(server.url) for s in sessions]
    load, faults = run_load(sessions, [server.url], plan.b_writers, plan.b_duration, WRITERS_MIX)
    results.append(
        analyse(
            "b",
            f"{plan.b_writers} concurrent writers (2 workers x 16 threads)",
            deployment,
            load,
            faults,
            clients=plan.b_writers,
            duration=plan.b_duration,
        )
    )


def sqlite_writers(plan: Plan, static_root: Path, results: list[Result]) -> None:
    """Part b on its own SQLite deployment, when the primary database is PostgreSQL."""
    deployment = Deployment(static_root=static_root)
    try:
        deployment.prepare()
        seeded = deployment.seed(runners=min(plan.runners, 8), checkins=plan.checkins_each, prefix="writer")
        writers_part(plan, deployment, seeded, results)
    finally:
        deployment.cleanup()


def shared_postgres_parts(
    plan: Plan, deployment: Deployment, cluster: PgCluster | None, parts: set[str], results: list[Result]
) -> None:
    """c's PostgreSQL restart (own cluster only) and d: two instances and two task workers
    sharing the database."""
    deployment.prepare()
    first = deployment.start(wait=False)
    second = deployment.start(wait=False)
    seeded, uploaders = seed_both(plan, deployment, imports="d" in parts)
    first.wait_healthy()
    second.wait_healthy()
    sessions = login_all(first.url, seeded["emails"], seeded["password"])
    if cluster is not None and "c" in parts:
        load, faults = run_load(
            sessions, [first.url], plan.c_clients, plan.c_duration, MIX, restart_postgres(cluster)
        )
        results.append(
            analyse(
                "c",
                "PostgreSQL restart",
                deployment,
                load,
                faults,
                clients=plan.c_clients,
                duration=plan.c_duration,
            )
        )
    if "d" in parts:
        start_workers(plan, deployment)
        import_sessions = login_all(first.url, uploaders["emails"], uploaders["password"])
        two_instances(
            plan,
            deployment,
            sessions,
            [first.url, second.url],
            results,
            list(zip(import_sessions, uploaders["emails"], strict=True))[1:],
        )


def recovery_text(figures: dict) -> str:
    return ",".join(f"{v:.2f}" if v is not None else "never" for _, v in figures["faults"]) or "-"


COLUMNS = [  # (heading, cell)
    ("part", lambda r, f: r.part),
    ("scenario", lambda r, f: r.scenario),
    ("db", lambda r, f: r.database),
    ("gunicorns", lambda r, f: r.servers),
    ("clients", lambda r, f: r.clients),
    ("s", lambda r, f: f"{r.duration:.0f}"),
    ("requests", lambda r, f: f["requests"]),
    ("req/s", lambda r, f: f"{f['rps']:.1f}"),
    ("p50 ms", lambda r, f: f"{f['p50_ms']:.0f}"),
    ("p99 ms", lambda r, f: f"{f['p99_ms']:.0f}"),
    ("acknowledged", lambda r, f: f["acknowledged"]),
    ("stored once", lambda r, f: f["stored"]),
    ("lost", lambda r, f: f["lost"]),
    ("duplicates", lambda r, f: f["duplicates"]),
    ("double submits (stored once)", lambda r, f: f"{f['double_submits']} ({f['doubles_stored_once']})"),
    ("partial", lambda r, f: f["partial"]),
    ("5xx (outside faults)", lambda r, f: f"{f['5xx_total']} ({f['server_errors']})"),
    ("conn errors (outside faults)", lambda r, f: f"{f['conn_errors_total']} ({f['conn_errors']})"),
    ("locked", lambda r, f: f["locked"]),
    ("recovery s", lambda r, f: recovery_text(f)),
    ("result", lambda r, f: "ok" if not r.problems else "FAILED"),
]
SUMMARY_KEYS = [
    "acknowledged",
    "stored",
    "lost",
    "duplicates",
    "mismatched",
    "partial",
    "server_errors",
    "conn_errors",
    "unexpected",
    "locked",
    "double_submits",
    "doubles_stored_once",
    "unacked_stored",
]


IMPORT_COLUMNS = [  # (heading, cell) of the imports' table
    ("part", lambda r, f: r.part),
    ("db", lambda r, f: r.database),
    ("gunicorns", lambda r, f: r.servers),
    ("task workers", lambda r, f: f["task_workers"]),
    ("jobs", lambda r, f: f["import_jobs"]),
    ("files", lambda r, f: f["import_files"]),
    ("imported", lambda r, f: f["imported"]),
    ("runs", lambda r, f: f["import_runs"]),
    ("unfinished", lambda r, f: f["import_unfinished"]),
    ("pending", lambda r, f: f["import_pending"]),
    ("not imported", lambda r, f: f["import_not_imported"]),
    (
        "twice (shared runs, wrong keys, duplicates)",
        lambda r, f: f"{f['import_shared_runs']}, {f['import_wrong_keys']}, {f['import_duplicates']}",
    ),
    ("stuck", lambda r, f: f["import_stuck"]),
    ("job p50 / max s", lambda r, f: f"{f['job_p50_s']:.1f} / {f['job_max_s']:.1f}"),
    ("worker killed mid-job: done after s", lambda r, f: f["killed_job_done_s"]),
]
IMPORT_KEYS = [
    "task_workers",
    "import_jobs",
    "import_files",
    "imported",
    "import_runs",
    *(f"import_{key}" for key in importing.CHECKS),
    "import_errors",
    "import_unexpected",
    "worker_kills",
    "killed_job_done_s",
]


def table(columns, rows) -> None:
    print("| " + " | ".join(heading for heading, _ in columns) + " |")
    print("|" + "---|" * len(columns))
    for r, figures in rows:
        print("| " + " | ".join(str(cell(r, figures)) for _, cell in columns) + " |")
    print()


def print_summary(results: list[Result], notes: list[str], elapsed: float) -> None:
    print("\n## Soak summary\n")
    table(COLUMNS, [(r, r.figures) for r in results])
    with_imports = [(r, r.imports) for r in results if r.imports]
    if with_imports:
        print("Imports through the task workers:\n")
        table(IMPORT_COLUMNS, with_imports)
    for r in results:
        pairs = " ".join(f"{key}={r.figures[key]}" for key in SUMMARY_KEYS)
        if r.imports:
            pairs += " " + " ".join(f"{key}={r.imports[key]}" for key in IMPORT_KEYS)
        scenario = r.scenario.replace(" ", "_")
        recovery = recovery_text(r.figures)
        print(f"SUMMARY part={r.part} scenario={scenario} db={r.database} {pairs} recovery={recovery}")
    for r in results:
        print(f"statuses {r.part} {r.scenario}: {r.figures['statuses']}")
        if r.imports:
            print(
                f"import tasks {r.part}: {r.imports['tasks']}, by worker {r.imports['tasks_by_worker']}; "
                f"not imported: {r.imports['reasons'] or '-'}"
            )
        for problem in r.problems:
            print(f"PROBLEM {r.part} {r.scenario}: {problem}")
    for note in notes:
        print(f"note: {note}")
    failed_parts = [r for r in results if r.problems]
    print(f"RESULT {'FAILED' if failed_parts else 'ok'} ({len(results)} scenarios, {elapsed:.0f} s)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--short", action="store_true", help="the quick version for the test suite")
    parser.add_argument("--parts", default="abcd", help="which parts to run (default abcd)")
    parser.add_argument("--database-url", default="", help="PostgreSQL for a, c (worker kill) and d")
    parser.add_argument(
        "--pg-cluster",
        choices=["auto", "yes", "no"],
        default="auto",
        help="start a throwaway PostgreSQL cluster for c's restart and d (auto: full mode, when root)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folders (logs) for inspection")
    args = parser.parse_args()
    started = time.monotonic()
    plan = SHORT if args.short else FULL
    parts = set(args.parts)
    results: list[Result] = []
    notes: list[str] = []
    url = args.database_url if is_postgres(args.database_url) else ""
    print(f"soak ({'short' if args.short else 'full'}): parts {''.join(sorted(parts))}", flush=True)

    want_cluster = args.pg_cluster == "yes" or (args.pg_cluster == "auto" and not args.short)
    reason = can_run_cluster() if want_cluster else "not asked for (--pg-cluster yes)"
    with contextlib.ExitStack() as stack:
        primary_url = stack.enter_context(scratch_postgres(url)) if url else None
        primary = Deployment(primary_url)
        stack.callback(primary.cleanup, keep=args.keep)
        cluster = None
        if reason is None and parts & {"c", "d"}:
            cluster = PgCluster()
            stack.callback(cluster.stop)
            cluster.start()
        elif "c" in parts:
            notes.append(f"c: PostgreSQL restart skipped: {reason}")
        # d runs on the primary database when it is PostgreSQL and there is no cluster of our own.
        d_on_primary = "d" in parts and primary.vendor == "postgresql" and cluster is None
        if parts & {"a", "b", "c"} or d_on_primary:
            primary_parts(plan, primary, parts, results, shared=d_on_primary)
            primary.stop()
        if "b" in parts and primary.vendor != "sqlite":
            sqlite_writers(plan, primary.static_root, results)
        if cluster is not None:
            shared = Deployment(cluster.createdb("aftermath_soak"), static_root=primary.static_root)
            stack.callback(shared.cleanup, keep=args.keep)
            shared_postgres_parts(plan, shared, cluster, parts, results)
            shared.stop()
        elif "d" in parts and not d_on_primary:
            notes.append("d: skipped: no PostgreSQL (give --database-url, or run as root for a cluster)")
        print_summary(results, notes, time.monotonic() - started)
        if args.keep:
            print(f"logs kept under {primary.tmp} and the shared deployment's temp folder")
    return 1 if any(r.problems for r in results) or not results else 0


if __name__ == "__main__":
    sys.exit(main())
