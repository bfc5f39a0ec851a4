"""Run Aftermath for real: collectstatic, migrate, seed, gunicorn on 127.0.0.1.

    deployment = Deployment()                      # SQLite in a throwaway folder
    deployment = Deployment(database_url="postgres://postgres@127.0.0.1:55432/x")
    deployment.prepare()                           # collectstatic + migrate
    seeded = deployment.seed(runners=1, checkins=1500)
    server = deployment.start()                    # gunicorn, 2 workers, waits for /healthz
    ... server.url, server.pid, server.worker_pids() ...
    worker = deployment.start_worker()             # `manage.py worker` (imports)
    ... worker.pid, worker.worker_id, worker.kill() ...
    server.stop()
    deployment.cleanup()                           # stops every server and task worker too

Two instances sharing one PostgreSQL are two `deployment.start()` calls; two task
workers, two `deployment.start_worker()` calls. Every process started here is stopped
through its own handle by its PID (terminate, then wait), never looked up by name.
`PgCluster` is a throwaway PostgreSQL cluster (needs root: it runs as user postgres).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SETTINGS = "loadtest.settings_bench"
HOST = "127.0.0.1"
PASSWORD = "load-test-pw-1"  # noqa: S105  (throwaway runners on a throwaway database)


STARTED = time.monotonic()


def log(message: str) -> None:
    """Progress on stderr (stdout carries the figures)."""
    print(f"[{time.monotonic() - STARTED:5.1f} s] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0] in {"postgres", "postgresql", "pgsql"}


class Server:
    """One gunicorn master on 127.0.0.1:port."""

    def __init__(self, proc: subprocess.Popen, port: int, log_path: Path, log_file):
        self.proc = proc
        self.port = port
        self.url = f"http://{HOST}:{port}"
        self.log_path = log_path
        self._log_file = log_file

    @property
    def pid(self) -> int:
        return self.proc.pid

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc (no process is looked up by name)."""
        pids: list[int] = []
        for children in Path(f"/proc/{self.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in children.read_text().split()]
        return sorted(set(pids))

    def wait_healthy(self, timeout: float = 60.0) -> None:
        """Until /healthz answers 200 (the caller stops the server if this raises)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn on {self.url} not healthy within {timeout:.0f} s; see {self.log_path}")

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        stop_process(self.proc, self._log_file)


def stop_process(proc: subprocess.Popen, log_file) -> None:
    """SIGTERM, up to 30 s to finish, then SIGKILL; its log file closed."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_file.close()


class TaskWorker:
    """One `manage.py worker` process (django-tasks-db's db_worker and the stalled-job watch)."""

    def __init__(self, proc: subprocess.Popen, worker_id: str, log_path: Path, log_file):
        self.proc = proc
        self.worker_id = worker_id
        self.log_path = log_path
        self._log_file = log_file

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def log_text(self) -> str:
        if not self._log_file.closed:
            self._log_file.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL, as the out-of-memory killer or a power cut would: nothing after it runs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        """SIGTERM: the worker finishes its task (one slice at most), then exits."""
        stop_process(self.proc, self._log_file)


class Deployment:
    """One database (SQLite in a temp AFTERMATH_DATA_DIR, or DATABASE_URL) and its static files."""

    def __init__(
        self,
        database_url: str | None = None,
        *,
        workers: int = 2,
        axes: bool = False,
        static_root: Path | None = None,
        extra_env: dict | None = None,
    ):
        self.tmp = Path(tempfile.mkdtemp(prefix="aftermath-load-"))
        self.database_url = database_url
        self.workers = workers
        self.static_root = static_root or self.tmp / "static"
        self.servers: list[Server] = []
        self.task_workers: list[TaskWorker] = []
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AFTERMATH_", "GUNICORN_"))
        }
        env.pop("DATABASE_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE=SETTINGS,
            DJANGO_DEBUG="",
            AFTERMATH_TESTING="0",
            DJANGO_SECRET_KEY="load-test-secret-key-" + os.urandom(16).hex(),
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            DJANGO_SECURE_SSL_REDIRECT="false",
            DJANGO_SECURE_COOKIES="false",
            AXES_ENABLED="true" if axes else "false",
            AFTERMATH_DATA_DIR=str(self.tmp / "data"),
            AFTERMATH_STATIC_ROOT=str(self.static_root),
            DJANGO_LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if database_url:
            env["DATABASE_URL"] = database_url
        env.update(extra_env or {})
        self.env = env

    @property
    def vendor(self) -> str:
        return "postgresql" if is_postgres(self.database_url) else "sqlite"

    def manage(self, *args: str, timeout: float = 300) -> str:
        result = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def prepare(self, *, collectstatic: bool = True) -> None:
        """collectstatic (unless already there) beside migrate, in parallel."""
        steps = [("migrate", "--noinput", "-v0")]
        if collectstatic and not (self.static_root / "staticfiles.json").exists():
            steps.append(("collectstatic", "--noinput", "-v0"))
        log(f"{' and '.join(step[0] for step in steps)} ({self.vendor})")
        with ThreadPoolExecutor(max_workers=len(steps)) as pool:
            for future in [pool.submit(self.manage, *step) for step in steps]:
                future.result()

    def run_module(self, module: str, payload: dict, timeout: float = 300) -> dict:
        """Run `python -m module` with this deployment's environment; JSON in on stdin, JSON out."""
        result = subprocess.run(  # noqa: S603
            [PYTHON, "-m", module],
            cwd=ROOT,
            env=self.env,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{module} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def seed(self, *, runners: int = 1, checkins: int = 0, password: str = PASSWORD, prefix="load") -> dict:
        """Runners (notice acknowledged) with `checkins` runs and check-ins each; see loadtest/seed.py."""
        log(f"seed {runners} runners x {checkins} check-ins")
        return self.run_module(
            "loadtest.seed",
            {"runners": runners, "checkins": checkins, "password": password, "prefix": prefix},
        )

    def check(self, keys: list[str]) -> dict:
        """Rows for these idempotency keys, and database-wide partial rows; see loadtest/dbcheck.py."""
        return self.run_module("loadtest.dbcheck", {"keys": keys})

    def start(
        self, *, port: int | None = None, workers: int | None = None, extra_env: dict | None = None, wait=True
    ) -> Server:
        """gunicorn -c config/gunicorn.conf.py on 127.0.0.1; with wait, returns once /healthz answers 200."""
        port = port or free_port()
        env = dict(self.env)
        env.update(
            GUNICORN_BIND=f"{HOST}:{port}",
            WEB_CONCURRENCY=str(workers or self.workers),
            **(extra_env or {}),
        )
        log_path = self.tmp / f"gunicorn-{port}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115  (closed by Server.stop)
        proc = subprocess.Popen(  # noqa: S603
            [PYTHON, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        server = Server(proc, port, log_path, log_file)
        self.servers.append(server)
        log(f"gunicorn pid {proc.pid} on {server.url}")
        if wait:
            server.wait_healthy()
        return server

    def start_worker(
        self, *, stall_check: float = 2.0, interval: float = 0.2, lease: float | None = None
    ) -> TaskWorker:
        """`manage.py worker` on this deployment's database, polling every `interval` s and
        looking for stalled imports every `stall_check` s. `lease` (seconds) shortens the
        import lease from its real 90 s (loadtest/worker.py), so that a killed worker's job
        is resumed within a short soak; None keeps the real one."""
        worker_id = f"load-{len(self.task_workers) + 1}-{os.urandom(3).hex()}"
        args = ["--interval", str(interval), "--no-startup-delay", "--stall-check", str(stall_check)]
        args += ["--worker-id", worker_id, "--verbosity", "1"]
        command = [PYTHON, "manage.py", "worker", *args]
        env = dict(self.env)
        if lease is not None:
            command = [PYTHON, "-m", "loadtest.worker", *args]
            env["AFTERMATH_LOAD_LEASE_SECONDS"] = str(lease)
        log_path = self.tmp / f"worker-{worker_id}.log"
        log_file = open(log_path, "ab")  # noqa: SIM115  (closed by TaskWorker.stop)
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)  # noqa: S603
        worker = TaskWorker(proc, worker_id, log_path, log_file)
        self.task_workers.append(worker)
        log(f"task worker pid {proc.pid} ({worker_id}{f', lease {lease:g} s' if lease else ''})")
        return worker

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for worker in self.task_workers:
            worker.stop()

    def cleanup(self, *, keep: bool = False) -> None:
        self.stop()
        if not keep:
            shutil.rmtree(self.tmp, ignore_errors=True)


# --- PostgreSQL --------------------------------------------------------------


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def can_run_cluster() -> str | None:
    """None if a throwaway cluster can be started here, else the reason why not."""
    if pg_bin() is None:
        return "no PostgreSQL binaries under /usr/lib/postgresql"
    if os.geteuid() != 0:
        return "not root: cannot run initdb/pg_ctl as user postgres"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "no user postgres"
    return None


class PgCluster:
    """A throwaway PostgreSQL cluster in a temp folder owned by postgres, on a spare port."""

    def __init__(self):
        reason = can_run_cluster()
        if reason:
            raise RuntimeError(reason)
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="aftermath-soak-pg-"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = free_port()
        self.started = False

    def _su(self, command: str, timeout: float = 120) -> None:
        subprocess.run(  # noqa: S603
            ["su", "postgres", "-s", "/bin/sh", "-c", command],  # noqa: S607
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def pg_ctl(self, *args: str) -> str:
        options = f"-p {self.port} -k '{self.dir}' -c listen_addresses={HOST} -c fsync=off"
        return (
            f"'{self.bin}/pg_ctl' -D '{self.data}' -l '{self.dir}/log' -w -o \"{options}\" {' '.join(args)}"
        )

    def start(self) -> PgCluster:
        self._su(f"'{self.bin}/initdb' -D '{self.data}' -U postgres --auth=trust -E UTF8 --locale=C.UTF-8")
        self._su(self.pg_ctl("start"))
        self.started = True
        return self

    def restart(self) -> None:
        """A fast restart: every connection is cut, the server is back when this returns."""
        self._su(self.pg_ctl("-m fast", "restart"))

    def url(self, dbname: str) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/{dbname}"

    def createdb(self, dbname: str) -> str:
        create_database(self.url("postgres"), dbname)
        return self.url(dbname)

    def stop(self) -> None:
        """Stop the cluster (if it runs) and remove its folder."""
        if self.started or (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.SubprocessError):
                self._su(f"'{self.bin}/pg_ctl' -D '{self.data}' -m fast -w stop")
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


def create_database(admin_url: str, dbname: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')


def drop_database(admin_url: str, dbname: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_postgres(url: str):
    """A fresh database beside the one `url` names (dropped after), or that database if none can be made."""
    base, _, _ = url.rpartition("/")
    name = f"aftermath_load_{os.getpid()}_{int(time.time())}"
    try:
        create_database(url, name)
    except Exception as error:  # no CREATEDB right: use the given database (runners are unique per run)
        print(f"note: cannot create a scratch database ({error}); using {url}", file=sys.stderr)
        yield url
        return
    try:
        yield f"{base}/{name}"
    finally:
        with contextlib.suppress(Exception):
            drop_database(url, name)
