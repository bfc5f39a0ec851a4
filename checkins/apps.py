from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Runs and check-ins"

    def ready(self) -> None:
        # Every new runner gets a profile; every change to a runner's log bumps its revision;
        # log-ins (and failed ones) are noted in the runner's account activity.
        from . import activity, logrevision, signals  # noqa: F401
        from .reminders import receivers  # noqa: F401  (a new zone moves pending reminders)
