"""Helpers of the API tests: a client that speaks JSON with a token, and the API's operations
as its OpenAPI description lists them (so a new operation is covered by the tests that walk them)."""

from __future__ import annotations

import functools
import json

from django.test import Client

from api.v1 import api as api_v1

# A valid body for each operation that takes one, by operationId.
VALID_BODIES = {
    "checkin_create": {"distance_km": 5.0, "duration_min": 30.0, "twitching": True, "muscles": ["calves"]},
    "run_edit": {"distance_km": 6.0},
    "followup_answer": {"sleep_disrupted": True},
}


class ApiClient:
    """Django's test client speaking JSON, with `Authorization: Bearer <token>` when it has one."""

    def __init__(self, token: str | None = None, client: Client | None = None):
        self.token = token
        self.client = client or Client()

    def headers(self, extra=None) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self.headers(headers))

    def send(self, method, path, body=None, *, raw: bytes | str | None = None, headers=None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        call = getattr(self.client, method)
        return call(path, data, content_type="application/json", headers=self.headers(headers))

    def post(self, path, body=None, **kwargs):
        return self.send("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self.send("patch", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.send("delete", path, **kwargs)

    def call(self, operation: Operation, run_id: int | None = None, body=None, headers=None):
        """One operation, with its valid body unless `body` is given."""
        path = operation.path.format(run_id=run_id)
        if operation.method == "get":
            return self.get(path, headers=headers)
        body = VALID_BODIES.get(operation.id) if body is None else body
        return self.send(operation.method, path, body, headers=headers)


@functools.total_ordering
class Operation:
    def __init__(self, method: str, path: str, id: str):
        self.method, self.path, self.id = method, path, id

    @property
    def writes(self) -> bool:
        return self.method != "get"

    @property
    def takes_run(self) -> bool:
        return "{run_id}" in self.path

    def __repr__(self) -> str:
        return self.id

    def __eq__(self, other) -> bool:
        return (self.method, self.path) == (other.method, other.path)

    def __lt__(self, other) -> bool:
        return (self.path, self.method) < (other.path, other.method)

    def __hash__(self) -> int:
        return hash((self.method, self.path))


@functools.cache
def openapi() -> dict:
    return api_v1.get_openapi_schema()


def operations() -> list[Operation]:
    """Every operation of version 1, from its OpenAPI description."""
    return sorted(
        Operation(method, path, details["operationId"])
        for path, methods in openapi()["paths"].items()
        for method, details in methods.items()
    )
