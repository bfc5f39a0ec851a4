"""The runner's log as the advice app's pages see it, and all they use of checkins: the
signed-in runner's profile, their runs as the engine's answers, and the decorator of a
read-only page cached per revision of the log."""

from .history import history_entries
from .pagecache import runner_page
from .runner import runner_profile

__all__ = ["history_entries", "runner_page", "runner_profile"]
