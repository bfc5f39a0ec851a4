"""Importing a Strava export through the task worker (a program that prints figures, not a test).

    .venv/bin/python bench/bench_import.py                 # 1,000 files, then the hostile cases
    .venv/bin/python bench/bench_import.py --files 200 --hostile-limit 60
    .venv/bin/python bench/bench_import.py --profile       # cProfile of the same import, in-process

The export: a zip like Strava's bulk export (activities.csv, activities/<id>.fit.gz,
.gpx, ...) of `--files` real-sized activities: the real samples in ../shared/samples (runs
of 36-50 min at a record a second, a ride, and GPX tracks written from them as Garmin
Connect does), each with its times moved to a day of its own, so every run is distinct
(loadtest/activity_files.py). Nothing is copied into the project.

Figures, in one run on one scratch SQLite database:

* baseline: the same member bytes parsed by fitdecode (iterating every frame, CRC
  checked) or gpxpy (gpxpy.parse) alone, gunzipped first where the name says .gz: files/s;
* worker: the zip uploaded as a job (start_job, as the upload page does), then imported by
  `manage.py worker --batch` (a real process, which exits when the queue is empty): files/s
  over the job's own start and finish, the process's wall time, and its peak memory
  (ru_maxrss from wait4 on that process alone), and its CPU time beside the clock's (on a
  shared machine the clock also counts other processes' turns; the worker is one thread
  that hardly waits). Targets: at least 0.7x the baseline's rate; under 256 MB.
* hostile: a .fit.gz bomb (a few KB that gunzip to just under the 25 MB file cap: millions
  of one-byte FIT records), the same over the cap, and a zip whose members each compress
  just under the 200:1 ratio guard; each imported by a fresh worker: time until its items
  are settled (refused or otherwise) and peak memory. A case still running after
  `--hostile-limit` seconds is stopped (SIGKILL, by its PID) and reported as such.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import gzip
import io
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# The scratch database and uploads, in the checkout's ignored data/ folder (removed at exit).
(ROOT / "data").mkdir(exist_ok=True)
TMP = Path(tempfile.mkdtemp(prefix="bench-import-", dir=ROOT / "data"))
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
os.environ["AFTERMATH_DATA_DIR"] = str(TMP)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
os.environ["DJANGO_DEBUG"] = ""
os.environ["AFTERMATH_TESTING"] = "1"  # no HTTPS redirect, no collectstatic; SQLite as deployed
os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

import fitdecode  # noqa: E402
import gpxpy  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from checkins.models import ImportItem, ImportJob, Run, User  # noqa: E402
from checkins.transfer.import_jobs import start_job, work_on  # noqa: E402
from checkins.transfer.watch_files import MAX_FILE_BYTES, MAX_RATIO  # noqa: E402
from loadtest.activity_files import fit_bomb, plain, ratio_zip, samples_here, strava_export  # noqa: E402

RATE_TARGET = 0.7
MEMORY_TARGET_MB = 256
FIRST = dt.datetime(2013, 1, 5, 6, 0, tzinfo=dt.UTC)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the baseline ---------------------------------------------------------------------


def parse_alone(name: str, data: bytes) -> None:
    """What a FIT or GPX library alone does with the file: every frame, or the whole track."""
    data = plain(name, data)
    if ".fit" in name:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
            for _frame in reader:
                pass
    else:
        gpxpy.parse(data.decode())


def baseline(members: dict[str, bytes]) -> tuple[float, float]:
    """Wall and CPU seconds to parse every member alone."""
    started, cpu = time.perf_counter(), time.process_time()
    for name, data in members.items():
        parse_alone(name, data)
    return time.perf_counter() - started, time.process_time() - cpu


# --- the worker -----------------------------------------------------------------------


class Outcome:
    def __init__(self, job: ImportJob, wall: float, cpu: float, peak_mb: float, finished: bool):
        job.refresh_from_db()
        self.job = job
        self.wall = wall
        self.cpu = cpu
        self.peak_mb = peak_mb
        self.finished = finished
        counts = {status: job.items.filter(status=status).count() for status in ImportItem.Status.values}
        self.counts = counts
        self.items = sum(counts.values())
        self.settled = self.items - counts[ImportItem.Status.PENDING]
        self.seconds = (
            (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else None
        )
        reasons = job.items.exclude(status=ImportItem.Status.IMPORTED).values_list("reason", flat=True)
        self.reasons = sorted(set(reasons))[:3] + [line for line in job.refused.splitlines() if line][:2]


# The worker is started by this small launcher, which forks it and reports its ru_maxrss:
# started straight from this (large) process, the worker's ru_maxrss would count this
# process's memory too (Linux carries the forked image's high-water mark across exec).
LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[2:]])
with open(sys.argv[1], "w") as out:
    out.write(str(pid))
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime)
"""


def run_worker(limit: float | None = None) -> tuple[float, float, float, bool]:
    """`manage.py worker --batch` until the queue is empty (or `limit` s: then SIGKILL by its PID).
    Returns (wall seconds, CPU seconds, peak RSS MB, finished)."""
    command = ["manage.py", "worker", "--batch", "--no-startup-delay", "--interval", "0"]
    command += ["--stall-check", "0", "--verbosity", "0"]
    pid_file = TMP / "worker.pid"
    pid_file.unlink(missing_ok=True)
    started = time.perf_counter()
    launcher = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", LAUNCHER, str(pid_file), *command],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        text=True,
    )
    killed = False
    try:
        out, _ = launcher.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.kill(int(pid_file.read_text()), signal.SIGKILL)  # the worker, by the PID it was given
        out, _ = launcher.communicate()
        killed = True
    wall = time.perf_counter() - started
    maxrss_kb, code, cpu = out.split()
    if int(code) != 0 and not killed:
        raise RuntimeError(f"the worker exited with {code}")
    return wall, float(cpu), int(maxrss_kb) / 1024, not killed


def import_through_worker(runner: User, name: str, data: bytes, limit: float | None = None) -> Outcome:
    job = start_job(runner, ImportJob.Kind.FILES, [SimpleUploadedFile(name, data)])
    wall, cpu, peak, finished = run_worker(limit)
    return Outcome(job, wall, cpu, peak, finished)


def fresh_runner(label: str) -> User:
    runner = User.objects.create_user(f"{label}-{time.time_ns()}@example.org", None)
    runner.profile.acknowledge_notice()
    return runner


def profile_import(runner: User, name: str, data: bytes) -> None:
    """The same import in this process under cProfile: where the time goes."""
    import cProfile
    import pstats

    job = start_job(runner, ImportJob.Kind.FILES, [SimpleUploadedFile(name, data)])
    profiler = cProfile.Profile()
    profiler.enable()
    while not work_on(job.pk, seconds=3600):
        pass
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(
        r"import_jobs|watch_files|fitdecode/reader|gpxpy/parser|zipfile|gzip", 40
    )
    stats.sort_stats("tottime").print_stats(25)


# --- the report -----------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=1000, help="activities in the export (default 1000)")
    parser.add_argument(
        "--hostile-limit", type=float, default=300, help="seconds before a hostile case is stopped"
    )
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile cases")
    parser.add_argument("--profile", action="store_true", help="profile the import in-process instead")
    args = parser.parse_args()

    missing = samples_here()
    if missing:
        print(f"bench_import: skipped: {missing}")
        return 0
    call_command("migrate", verbosity=0)

    say(f"building a Strava-like export of {args.files} activities")
    export = strava_export(args.files, first=FIRST)
    if args.profile:
        profile_import(fresh_runner("profile"), "export.zip", export.zip_bytes)
        return 0

    load_before = os.getloadavg()[0]
    say("baseline: fitdecode / gpxpy alone on the same bytes")
    base_s, base_cpu = baseline(export.members)
    say("the worker")
    runner = fresh_runner("bench")
    outcome = import_through_worker(runner, "export_12345.zip", export.zip_bytes)
    runs = Run.objects.filter(runner=runner).count()

    load_after = os.getloadavg()[0]
    fits = sum(1 for name in export.members if ".fit" in name)
    files = len(export.members)
    base_rate = files / base_s
    rate = files / outcome.seconds
    print(
        f"\n## Import benchmark ({time.strftime('%Y-%m-%d')}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores)\n"
    )
    print(
        f"A Strava-like export: {files} activities ({fits} FIT, {files - fits} GPX; {export.runs} runs, "
        f"the rest rides), zip {len(export.zip_bytes) / 1e6:.1f} MB, "
        f"{sum(len(plain(n, d)) for n, d in export.members.items()) / 1e6:.0f} MB unpacked.\n"
    )
    cpu_rate, base_cpu_rate = files / outcome.cpu, files / base_cpu
    ratio, cpu_ratio = rate / base_rate, cpu_rate / base_cpu_rate
    print("| what | files | wall s | files/s | × baseline | CPU s | files/CPU s | × baseline | peak memory |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| fitdecode / gpxpy alone (baseline) | {files} | {base_s:.1f} | {base_rate:.2f} | 1.00 "
        f"| {base_cpu:.1f} | {base_cpu_rate:.2f} | 1.00 | |"
    )
    print(
        f"| the worker (`manage.py worker --batch`): the job, start to finish; the process's CPU "
        f"| {outcome.items} | {outcome.seconds:.1f} | {rate:.2f} | {ratio:.2f} "
        f"| {outcome.cpu:.1f} | {cpu_rate:.2f} | {cpu_ratio:.2f} | {outcome.peak_mb:.0f} MB |"
    )
    print(f"| the worker process, start to exit | {outcome.items} | {outcome.wall:.1f} | | | | | | |")
    if min(ratio, cpu_ratio) >= RATE_TARGET:
        verdict = "met"
    else:
        verdict = "met by CPU time, not by the clock" if cpu_ratio >= RATE_TARGET else "missed"
    memory = "met" if outcome.peak_mb < MEMORY_TARGET_MB else "missed"
    print(
        f"\nTargets: the import at least {RATE_TARGET}× the baseline's rate: {verdict} "
        f"({ratio:.2f}× by the clock, {cpu_ratio:.2f}× by CPU time: on a shared machine the clock "
        f"also counts other processes' turns); peak memory under {MEMORY_TARGET_MB} MB: {memory}."
    )
    print(
        f"\nImported {outcome.counts['imported']}, skipped {outcome.counts['skipped']} (rides), "
        f"refused {outcome.counts['refused']}; {runs} runs stored. {outcome.reasons or ''}"
    )
    print(f"Load average (1 min) before and after: {load_before:.1f}, {load_after:.1f}.")
    if outcome.counts["imported"] != export.runs or runs != export.runs:
        print(
            f"PROBLEM: {export.runs} runs in the export, {outcome.counts['imported']} imported, {runs} stored"
        )

    if not args.no_hostile:
        hostile(args.hostile_limit)
    return 0


def hostile(limit: float) -> None:
    cases = []
    under = MAX_FILE_BYTES - 1024
    bomb = gzip.compress(fit_bomb(under - 64), compresslevel=9, mtime=0)
    cases.append(
        (
            f"a .fit.gz bomb: {len(bomb) / 1e3:.0f} KB gunzipping to {under / 1e6:.1f} MB, "
            f"{under - 64:,} one-byte records (just under the 25 MB cap)",
            "bomb.fit.gz",
            bomb,
        )
    )
    over = 64 * 1024 * 1024
    big = gzip.compress(fit_bomb(over), compresslevel=9, mtime=0)
    cases.append(
        (
            f"a .fit.gz bomb: {len(big) / 1e3:.0f} KB gunzipping to {over / 1e6:.0f} MB (over the cap)",
            "huge.fit.gz",
            big,
        )
    )
    members, size = 400, 2_600_000
    archive, reached = ratio_zip(members, size, MAX_RATIO - 1)
    cases.append(
        (
            f"a zip of {members} FIT members of {size / 1e6:.1f} MB, each deflated {reached:.0f}:1 "
            f"(guard {MAX_RATIO}:1): {len(archive) / 1e6:.1f} MB, {members * size / 1e9:.2f} GB unpacked",
            "ratio.zip",
            archive,
        )
    )
    print(f"\n### Hostile files (each a job of its own; stopped after {limit:.0f} s)\n")
    print("| file | items settled | outcome | seconds | CPU s | peak memory |")
    print("|---|---:|---|---:|---:|---:|")
    for label, name, data in cases:
        say(f"hostile: {name}")
        outcome = import_through_worker(fresh_runner("hostile"), name, data, limit)
        if outcome.finished and outcome.settled == outcome.items:
            seconds = outcome.seconds if outcome.seconds is not None else outcome.wall
            result = "; ".join(outcome.reasons) or "imported"
            timing = f"{seconds:.1f}"
        else:
            result = "still reading when stopped"
            if outcome.settled:  # the rest at the same pace
                each = limit / outcome.settled
                hours = each * outcome.items / 3600
                result += f"; at {each:.0f} s an item, all {outcome.items} would take {hours:.1f} h"
            timing = f"> {limit:.0f}"
        print(
            f"| {label} | {outcome.settled} of {outcome.items} | {result} | {timing} "
            f"| {outcome.cpu:.0f} | {outcome.peak_mb:.0f} MB |"
        )


if __name__ == "__main__":
    sys.exit(main())
