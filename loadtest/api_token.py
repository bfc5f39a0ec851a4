"""A read-and-write API token for a seeded runner: `python -m loadtest.api_token`, JSON in and out.

Input: {"email": ...}. Output: {"token": "aft_…"} (the only time the token exists in full).
"""

from __future__ import annotations

import json
import sys

import django


def main() -> None:
    spec = json.load(sys.stdin)
    django.setup()
    from api.models import AccessToken
    from checkins.models import User

    runner = User.objects.get(email=spec["email"])
    _, raw = AccessToken.issue(runner=runner, name="load test", scope="write", days=1)
    print(json.dumps({"token": raw}))


if __name__ == "__main__":
    main()
