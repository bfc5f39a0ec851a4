from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "checkins"
    verbose_name = "Runs and check-ins"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the profile signal
