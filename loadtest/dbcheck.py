"""What the database holds after a load run: `python -m loadtest.dbcheck`, JSON in and out.

Input: {"keys": [idempotency keys]}. Output: for each key found, the ids of the runs
holding it ("rows"); database-wide, runs without their check-in ("partial"; a run
imported from a file has none by design, and is left out) and
(runner, key) pairs stored more than once ("duplicates"); and the vendor.
"""

from __future__ import annotations

import json
import sys
import uuid

import django


def main() -> None:
    keys = [uuid.UUID(key) for key in json.load(sys.stdin)["keys"]]
    django.setup()
    from django.db import connection
    from django.db.models import Count

    from checkins.models import ImportItem, Run

    rows: dict[str, list[int]] = {}
    for start in range(0, len(keys), 500):
        batch = keys[start : start + 500]
        for pk, key in Run.objects.filter(idempotency_key__in=batch).values_list("pk", "idempotency_key"):
            rows.setdefault(str(key), []).append(pk)
    imported = ImportItem.objects.filter(run__isnull=False).values("run")
    partial = Run.objects.filter(checkin__isnull=True).exclude(pk__in=imported).count()
    duplicates = (
        Run.objects.values("runner", "idempotency_key").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    print(
        json.dumps(
            {
                "rows": rows,
                "partial": partial,
                "duplicates": duplicates,
                "runs": Run.objects.count(),
                "vendor": connection.vendor,
            }
        )
    )


if __name__ == "__main__":
    main()
