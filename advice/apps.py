from django.apps import AppConfig


class AdviceConfig(AppConfig):
    """The Django side of the advice engine: its pages. The engine itself imports no Django."""

    name = "advice"
    verbose_name = "Advice"
