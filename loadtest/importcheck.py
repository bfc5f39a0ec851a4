"""What the database holds after the soak's imports: `python -m loadtest.importcheck`, JSON in and out.

Input: {"jobs": {job id: {"email": the uploader, "files": activity files sent}}}.
Output: per job its state; then, over those jobs, every way an item can have been
processed other than exactly once:

* unfinished: jobs without finished_at; pending: their items not yet processed;
* items_vs_files: jobs whose items are not one per file sent;
* not_imported: items skipped or refused (the soak sends only distinct, valid runs);
* runs_vs_items: runners whose runs are not exactly their imported items (the import
  runners have no other runs);
* shared_runs / itemless: one run for two items, an imported item without its run;
* wrong_keys: a run whose idempotency key is not its own item's (job, position) key;
* duplicates: (runner, idempotency key) pairs stored more than once, database-wide;
* stuck: finished jobs still holding a lease or their uploaded bytes, or with a task
  still queued.
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import Counter

import django


def main() -> None:
    spec = json.load(sys.stdin)
    django.setup()
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from checkins.models import ImportItem, ImportJob, ImportUpload, Run, User
    from checkins.transfer.import_jobs import RUN_KEYS

    wanted = {int(pk): info for pk, info in spec["jobs"].items()}
    jobs = {job.pk: job for job in ImportJob.objects.filter(pk__in=wanted).select_related("runner")}
    items = list(
        ImportItem.objects.filter(job__in=wanted).values_list(
            "job_id", "position", "status", "reason", "run_id"
        )
    )
    by_job: dict[int, Counter] = {pk: Counter() for pk in wanted}
    for job_id, _position, status, _reason, _run in items:
        by_job[job_id][status] += 1
    reasons = Counter(reason for _, _, status, reason, _ in items if status != "imported")
    imported = [
        (job_id, position, run_id) for job_id, position, status, _, run_id in items if status == "imported"
    ]
    run_ids = [run_id for _, _, run_id in imported if run_id is not None]
    runs = {
        run.pk: run for run in Run.objects.filter(pk__in=run_ids).only("pk", "runner_id", "idempotency_key")
    }
    wrong_keys = 0
    for job_id, position, run_id in imported:
        run = runs.get(run_id)
        job = jobs.get(job_id)
        if run is None or job is None:
            continue
        if run.runner_id != job.runner_id or run.idempotency_key != uuid.uuid5(
            RUN_KEYS, f"{job_id}:{position}"
        ):
            wrong_keys += 1
    emails = sorted({info["email"] for info in wanted.values()})
    runners = dict(User.objects.filter(email__in=emails).values_list("email", "pk"))
    imported_per_runner = Counter(jobs[job_id].runner_id for job_id, _, _ in imported if job_id in jobs)
    runs_per_runner = dict(
        Run.objects.filter(runner__in=runners.values())
        .values("runner")
        .annotate(n=Count("id"))
        .values_list("runner", "n")
    )
    runs_vs_items = sum(
        1 for pk in runners.values() if runs_per_runner.get(pk, 0) != imported_per_runner.get(pk, 0)
    )
    tasks = Counter(
        DBTaskResult.objects.filter(task_path__endswith="import_job").values_list("status", flat=True)
    )
    by_worker = Counter(
        (worker_ids or ["?"])[-1]
        for worker_ids in DBTaskResult.objects.filter(args_kwargs__args__0__in=list(wanted)).values_list(
            "worker_ids", flat=True
        )
    )
    finished = [job for job in jobs.values() if job.finished_at]
    stuck = sum(1 for job in finished if job.lease_holder)
    stuck += ImportUpload.objects.filter(job__in=finished, removed=False).count()
    stuck += DBTaskResult.objects.filter(status="READY", args_kwargs__args__0__in=list(wanted)).count()
    duplicates = (
        Run.objects.values("runner", "idempotency_key").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    result = {
        "jobs": len(wanted),
        "found": len(jobs),
        "files": sum(info["files"] for info in wanted.values()),
        "items": len(items),
        "imported": len(imported),
        "runs": sum(runs_per_runner.values()),
        "unfinished": len(wanted) - len(finished),
        "pending": sum(counts["pending"] for counts in by_job.values()),
        "items_vs_files": sum(1 for pk, info in wanted.items() if sum(by_job[pk].values()) != info["files"]),
        "not_imported": sum(counts["skipped"] + counts["refused"] for counts in by_job.values()),
        "runs_vs_items": runs_vs_items,
        "shared_runs": sum(n - 1 for n in Counter(run_ids).values() if n > 1),
        "itemless": sum(1 for _, _, run_id in imported if run_id is None or run_id not in runs),
        "wrong_keys": wrong_keys,
        "duplicates": duplicates,
        "stuck": stuck,
        "tasks": dict(tasks),
        "tasks_by_worker": dict(by_worker),
        "reasons": dict(reasons.most_common(3)),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
