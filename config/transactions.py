"""Read-only views take no write lock on SQLite.

Every request runs in a transaction (ATOMIC_REQUESTS). On SQLite that
transaction begins IMMEDIATE: it takes the database's single write lock at
once, so that concurrent writers queue behind each other (busy timeout) instead
of failing with "database is locked" when a read turns into a write. A view
that only reads needs no lock at all, and holding it would make every page view
wait for every other. Views marked `@read_only` therefore begin DEFERRED: in WAL
mode they read one consistent snapshot and never block, nor wait for, a writer.

On PostgreSQL nothing changes (its transactions take no lock to read).
"""

from __future__ import annotations

from django.db import connections

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def read_only(view):
    """Mark a view that never writes to the database on a GET (see the module's note)."""
    view.read_only = True
    return view


class ReadOnlyTransactionMiddleware:
    """Begins a `@read_only` view's request transaction DEFERRED on SQLite, IMMEDIATE otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            for connection, mode in getattr(request, "_transaction_modes", ()):
                connection.transaction_mode = mode

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in READ_METHODS or not getattr(view_func, "read_only", False):
            return None
        changed = []
        for alias in connections:
            connection = connections[alias]
            if connection.vendor != "sqlite" or connection.in_atomic_block:
                continue
            # Connect first: connecting reads the mode from the settings again.
            connection.ensure_connection()
            changed.append((connection, connection.transaction_mode))
            connection.transaction_mode = "DEFERRED"
        request._transaction_modes = changed
        return None
