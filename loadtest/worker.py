"""`manage.py worker` with a shorter import lease, for the short soak: `python -m loadtest.worker ARGS`.

The lease (checkins.transfer.import_jobs.LEASE, 90 s) is how long a killed worker's job
waits before another worker resumes it. The soak's `--short` run kills a worker mid-job
and must see the job finish within a minute, so it runs the real command with the lease
set from AFTERMATH_LOAD_LEASE_SECONDS; everything else is `manage.py worker` as deployed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from checkins.transfer import import_jobs

    seconds = os.environ.get("AFTERMATH_LOAD_LEASE_SECONDS")
    if seconds:
        import_jobs.LEASE = dt.timedelta(seconds=float(seconds))
    execute_from_command_line(["manage.py", "worker", *sys.argv[1:]])


if __name__ == "__main__":
    main()
