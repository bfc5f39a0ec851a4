"""factory_boy factories: each test builds the rows it needs, no shared fixtures."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from checkins.models import CheckIn, Run, User

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"runner{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Run

    runner = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    distance_km = 10.0
    duration_min = 55.0
    effort = 5
    run_type = "easy"


class CheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckIn

    run = factory.SubFactory(RunFactory)
    twitching = False


# The settings page's form, all metric: tests change what they test on top of it.
METRIC_PROFILE_FORM = {
    "distance_unit": "km",
    "temperature_unit": "c",
    "volume_unit": "ml",
    "weight_unit": "kg",
    "time_zone": "UTC",
}
