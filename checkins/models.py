"""Runners, their profile, and each run with its twitch check-in.

Everything is stored in metric with the keys of shared/domain.md. `Run.answers()`
is the only bridge to the advice engine: it turns a run and its check-in into
the domain's answers mapping.
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from advice.experiments import CHANGES, WEEKS_CHOICES, last_planned_day
from advice.units import Units
from advice.vocabulary import (
    ANSWER_KEYS,
    COOLDOWN_LABELS,
    MEDICATION_LABELS,
    MUSCLE_LABELS,
    RANGES,
    RUN_TYPE_LABELS,
    SYMPTOM_LABELS,
)

from . import plausible
from .fields import CodeListField
from .logrevision import KeepsLogRevision, LogQuerySet, ThroughRun, TracksRunner, one_log_change

TIME_ZONE_CHOICES = tuple((name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones()))


def _range_validators(key: str) -> list:
    low, high = RANGES[key]
    return [MinValueValidator(low), MaxValueValidator(high)]


def _in_range(field: str, key: str | None = None) -> Q:
    """Null (not answered) or within the domain's range for `key`."""
    low, high = RANGES[key or field]
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        # Log-in and password reset match the address whatever its case.
        return self.get(email__iexact=email)

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A runner, who logs in with an e-mail address. Health data lives in Profile and Run."""

    email = models.EmailField("e-mail address", unique=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_ci")]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def forget(self) -> None:
        """Delete the runner, every row that was theirs (profile, runs, check-ins, imports),
        and the log-in records that name their address."""
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        email = self.email
        with transaction.atomic(), one_log_change(self.pk):
            self.delete()
        for model in (AccessAttempt, AccessLog, AccessFailureLog):
            model.objects.filter(username__iexact=email).delete()


# The display units a profile may pick (advice.units.Units converts and labels them).
class DistanceUnit(models.TextChoices):
    KM = "km", "kilometres"
    MI = "mi", "miles"


class TemperatureUnit(models.TextChoices):
    C = "c", "°C"
    F = "f", "°F"


class VolumeUnit(models.TextChoices):
    ML = "ml", "millilitres"
    FLOZ = "floz", "fluid ounces"


class WeightUnit(models.TextChoices):
    KG = "kg", "kilograms"
    LB = "lb", "pounds"


class Profile(KeepsLogRevision, models.Model):
    runner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    distance_unit = models.CharField(max_length=2, choices=DistanceUnit, default=DistanceUnit.KM)
    temperature_unit = models.CharField(max_length=1, choices=TemperatureUnit, default=TemperatureUnit.C)
    volume_unit = models.CharField(max_length=4, choices=VolumeUnit, default=VolumeUnit.ML)
    weight_unit = models.CharField(max_length=2, choices=WeightUnit, default=WeightUnit.KG)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    body_weight_kg = models.FloatField(
        "body weight (kg)", null=True, blank=True, validators=_range_validators("weight_before_kg")
    )
    medications = CodeListField(codes=tuple(MEDICATION_LABELS.items()))
    medication_changed = models.BooleanField("started or changed a medicine lately", default=False)
    notice_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Bumped in the same transaction as every change to the runner's runs and
    # check-ins (checkins.logrevision): what is cached from the log is keyed by it.
    log_revision = models.PositiveBigIntegerField(default=0, editable=False)
    # Two-factor log-in is on (checkins.twofactor): kept here, beside what every request
    # loads anyway, so that checking it costs no query (the devices are django-otp's).
    two_factor = models.BooleanField("two-factor log-in", default=False, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_in_range("body_weight_kg", "weight_before_kg"), name="profile_body_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(distance_unit__in=tuple(DistanceUnit.values))
                & Q(temperature_unit__in=tuple(TemperatureUnit.values))
                & Q(volume_unit__in=tuple(VolumeUnit.values))
                & Q(weight_unit__in=tuple(WeightUnit.values)),
                name="profile_units_known",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.runner}"

    @property
    def units(self) -> Units:
        return Units(
            distance=self.distance_unit,
            temperature=self.temperature_unit,
            volume=self.volume_unit,
            weight=self.weight_unit,
        )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def has_acknowledged_notice(self) -> bool:
        return self.notice_acknowledged_at is not None

    def acknowledge_notice(self) -> None:
        """Store the first-use acknowledgement once; later calls keep the first time."""
        if self.notice_acknowledged_at is None:
            self.notice_acknowledged_at = timezone.now()
            self.save(update_fields=["notice_acknowledged_at"])


class RunQuerySet(LogQuerySet):
    def for_runner(self, runner) -> RunQuerySet:
        return self.filter(runner=runner)

    def with_checkin(self) -> RunQuerySet:
        return self.select_related("checkin")


class Run(TracksRunner, models.Model):
    """One run: what the runner did and the conditions. Metric, domain.md keys."""

    RUN_TYPES = tuple(RUN_TYPE_LABELS.items())
    COOLDOWNS = tuple(COOLDOWN_LABELS.items())
    # The earliest start a run may have, whichever way it comes in (checkins.plausible).
    EARLIEST_START = plausible.EARLIEST_START

    runner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="runs")
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    started_at = models.DateTimeField(default=timezone.now)
    # The day as the runner lived it, in their time zone when they ran; kept so
    # that moving to another zone later never shifts old runs to another day.
    date = models.DateField(db_index=True)
    distance_km = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.01), MaxValueValidator(300)]
    )
    duration_min = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.1), MaxValueValidator(2000)]
    )
    effort = models.PositiveSmallIntegerField(null=True, blank=True, validators=_range_validators("effort"))
    run_type = models.CharField(max_length=10, choices=RUN_TYPES, blank=True)
    temperature_c = models.FloatField(null=True, blank=True, validators=_range_validators("temperature_c"))
    humidity_pct = models.FloatField(null=True, blank=True, validators=_range_validators("humidity_pct"))
    fluid_ml = models.PositiveIntegerField(null=True, blank=True, validators=_range_validators("fluid_ml"))
    electrolytes_during = models.BooleanField(null=True, blank=True)
    carbs_before_g = models.PositiveIntegerField(
        null=True, blank=True, validators=_range_validators("carbs_before_g")
    )
    carbs_before_min = models.PositiveIntegerField(
        null=True, blank=True, validators=_range_validators("carbs_before_min")
    )
    meal_before_h = models.FloatField(null=True, blank=True, validators=_range_validators("meal_before_h"))
    spicy_meal = models.BooleanField(null=True, blank=True)
    cooldown = models.CharField(max_length=12, choices=COOLDOWNS, blank=True)
    weight_before_kg = models.FloatField(
        null=True, blank=True, validators=_range_validators("weight_before_kg")
    )
    weight_after_kg = models.FloatField(
        null=True, blank=True, validators=_range_validators("weight_after_kg")
    )
    days_since_rest = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(3650)]
    )
    avg_heart_rate_bpm = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    notes = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["runner", "-started_at"], name="run_runner_started")]
        constraints = [
            models.UniqueConstraint(fields=["runner", "idempotency_key"], name="run_unique_idempotency_key"),
            models.CheckConstraint(
                condition=Q(distance_km__isnull=True) | Q(distance_km__gt=0, distance_km__lte=300),
                name="run_distance_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_min__isnull=True) | Q(duration_min__gt=0, duration_min__lte=2000),
                name="run_duration_range",
            ),
            models.CheckConstraint(condition=_in_range("effort"), name="run_effort_range"),
            models.CheckConstraint(condition=_in_range("temperature_c"), name="run_temperature_range"),
            models.CheckConstraint(condition=_in_range("humidity_pct"), name="run_humidity_range"),
            models.CheckConstraint(condition=_in_range("fluid_ml"), name="run_fluid_range"),
            models.CheckConstraint(condition=_in_range("carbs_before_g"), name="run_carbs_range"),
            models.CheckConstraint(condition=_in_range("carbs_before_min"), name="run_carbs_min_range"),
            models.CheckConstraint(condition=_in_range("meal_before_h"), name="run_meal_range"),
            models.CheckConstraint(condition=_in_range("weight_before_kg"), name="run_weight_before_range"),
            models.CheckConstraint(condition=_in_range("weight_after_kg"), name="run_weight_after_range"),
            models.CheckConstraint(
                condition=Q(days_since_rest__isnull=True) | Q(days_since_rest__gte=0),
                name="run_days_since_rest_range",
            ),
            models.CheckConstraint(
                condition=Q(run_type="") | Q(run_type__in=list(RUN_TYPE_LABELS)), name="run_type_known"
            ),
            models.CheckConstraint(
                condition=Q(cooldown="") | Q(cooldown__in=list(COOLDOWN_LABELS)), name="run_cooldown_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Run on {self.date} by {self.runner}"

    def save(self, *args, **kwargs):
        if self.date is None:
            self.date = self.local_date()
        super().save(*args, **kwargs)

    @classmethod
    def is_plausible_start(cls, started: dt.datetime) -> bool:
        """From EARLIEST_START up to a day from now (checkins.plausible holds the rule)."""
        return plausible.is_plausible_start(started)

    @staticmethod
    def implausible_start(started: dt.datetime) -> str:
        """Why a run from a file is refused for its start (the import's and the export's words)."""
        return plausible.implausible_start(started)

    def local_date(self) -> dt.date:
        """The day of `started_at` in the runner's time zone."""
        zone = getattr(getattr(self.runner, "profile", None), "zone", None) or zoneinfo.ZoneInfo("UTC")
        return timezone.localtime(self.started_at, zone).date()

    def summary(self, units: Units) -> str:
        """One line for lists: "10 km · 55 min · twitching 4/10: calves"."""
        parts = []
        if self.distance_km is not None:
            parts.append(units.fmt_distance(self.distance_km))
        if self.duration_min is not None:
            parts.append(f"{self.duration_min:.0f} min")
        if self.run_type:
            parts.append(RUN_TYPE_LABELS.get(self.run_type, self.run_type).lower())
        checkin = getattr(self, "checkin", None)
        if checkin is not None and checkin.twitching:
            twitch = "twitching"
            if checkin.intensity is not None:
                twitch += f" {checkin.intensity}/10"
            if checkin.muscles:
                twitch += ": " + ", ".join(MUSCLE_LABELS.get(m, m).lower() for m in checkin.muscles)
            parts.append(twitch)
        elif checkin is not None and checkin.twitching is False:
            parts.append("no twitching")
        return " · ".join(parts) or "No details"

    def answers(self, *, days_since_rest: int | None = None) -> dict:
        """This run and its check-in as the domain's answers mapping (shared/domain.md).

        Only answered keys are present: a missing key means "not answered".
        `days_since_rest` is the value the log derives, used when the runner
        did not give one.
        """
        out: dict = {"date": self.date}
        for key in RUN_ANSWER_KEYS:
            value = getattr(self, key)
            if value is not None and value != "":
                out[key] = value
        if "days_since_rest" not in out and days_since_rest is not None:
            out["days_since_rest"] = days_since_rest
        checkin = getattr(self, "checkin", None)  # RelatedObjectDoesNotExist is an AttributeError
        if checkin is not None:
            out.update(checkin.answers())
        return out


# The domain's keys (shared/domain.md) of a run, and of the check-in that follows it.
RUN_ANSWER_KEYS = ANSWER_KEYS[ANSWER_KEYS.index("distance_km") : ANSWER_KEYS.index("twitching")]


class CheckInQuerySet(LogQuerySet):
    runner_path = "run__runner_id"


class CheckIn(ThroughRun, models.Model):
    """The twitch check-in that follows a run (one to one)."""

    run = models.OneToOneField(Run, on_delete=models.CASCADE, related_name="checkin")
    twitching = models.BooleanField(null=True, blank=True)
    muscles = CodeListField(codes=tuple(MUSCLE_LABELS.items()))
    intensity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range_validators("intensity")
    )
    visible = models.BooleanField(null=True, blank=True)
    cramps = models.BooleanField(null=True, blank=True)
    weakness = models.BooleanField(null=True, blank=True)
    sleep_disrupted = models.BooleanField(null=True, blank=True)
    daily_life_disrupted = models.BooleanField(null=True, blank=True)
    symptoms = CodeListField(codes=tuple(SYMPTOM_LABELS.items()))
    urine_color = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=_range_validators("urine_color")
    )
    rehydrated = models.BooleanField(null=True, blank=True)
    # A snapshot of the profile's medicines when the check-in was made, so that
    # the history reads as it was even after the profile changes.
    medications = CodeListField(codes=tuple(MEDICATION_LABELS.items()))
    medication_changed = models.BooleanField(null=True, blank=True)
    # The next-morning follow-up: when it was answered, and whether it still twitched.
    followup_at = models.DateTimeField(null=True, blank=True)
    still_twitching = models.BooleanField(null=True, blank=True)
    # When the runner tapped "I've read this" on the run's red flags: until then, home
    # keeps showing them for FLAGS_OPEN_DAYS (checkins.flags), even after later runs.
    flags_seen_at = models.DateTimeField(null=True, blank=True)
    # During an experiment (Experiment below): whether the runner kept to its plan that day,
    # as they answered the check-in's one question; None when not asked or not answered.
    # On the check-in rather than a row of its own: one answer per run, saved, exported and
    # deleted with the run, and the experiment it belongs to is the one whose days hold the
    # run's day (a runner has one experiment at a time, their days never overlap).
    experiment_kept = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    # Answered in the check-in after the run; the rest come from the next-morning
    # follow-up (sleep, daily life) or are copied from the profile (medicines).
    asked_after_run = frozenset(
        {
            "twitching",
            "muscles",
            "intensity",
            "visible",
            "cramps",
            "weakness",
            "symptoms",
            "urine_color",
            "rehydrated",
        }
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_in_range("intensity"), name="checkin_intensity_range"),
            models.CheckConstraint(condition=_in_range("urine_color"), name="checkin_urine_color_range"),
        ]

    def __str__(self) -> str:
        return f"Check-in for {self.run}"

    def answers(self) -> dict:
        out: dict = {}
        for key in CHECKIN_ANSWER_KEYS:
            value = getattr(self, key)
            if value is None or value == "":
                continue
            if isinstance(value, list):
                if not value:
                    continue
                value = list(value)
            out[key] = value
        return out


CHECKIN_ANSWER_KEYS = ANSWER_KEYS[ANSWER_KEYS.index("twitching") :]


class Experiment(models.Model):
    """One change the runner tries for two to four weeks (advice.experiments.CHANGES), every
    day or alternating weeks with and without it. One at a time: at most one is `active`
    (checkins.experiments.running starts and stops them)."""

    CHANGE_CHOICES = tuple((code, change.title) for code, change in CHANGES.items())

    runner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="experiments")
    idempotency_key = models.UUIDField(default=uuid.uuid4, editable=False)
    change = models.CharField(max_length=40, choices=CHANGE_CHOICES)
    weeks = models.PositiveSmallIntegerField(choices=[(n, f"{n} weeks") for n in WEEKS_CHOICES])
    alternating = models.BooleanField(default=False)
    start_day = models.DateField()
    # The last day of an experiment stopped before its planned end (the day it was stopped).
    stopped_on = models.DateField(null=True, blank=True)
    # Started and not stopped, nor known to be over: the one experiment a runner may have.
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["runner", "idempotency_key"], name="experiment_unique_key"),
            models.UniqueConstraint(
                fields=["runner"], condition=Q(active=True), name="experiment_one_active_per_runner"
            ),
            models.CheckConstraint(condition=Q(weeks__in=WEEKS_CHOICES), name="experiment_weeks_range"),
            models.CheckConstraint(condition=Q(change__in=list(CHANGES)), name="experiment_change_known"),
        ]

    def __str__(self) -> str:
        return f"Experiment {self.change} from {self.start_day} by {self.runner}"

    @property
    def planned_last_day(self) -> dt.date:
        return last_planned_day(self.start_day, self.weeks)

    @property
    def last_day(self) -> dt.date:
        """The plan's last day: the day it was stopped, or its planned end."""
        return min(self.stopped_on, self.planned_last_day) if self.stopped_on else self.planned_last_day

    def covers(self, day: dt.date) -> bool:
        return self.start_day <= day <= self.last_day

    def is_over(self, today: dt.date) -> bool:
        return self.stopped_on is not None or today > self.planned_last_day


def _import_storage():
    """Where uploads wait for the worker (settings.STORAGES["imports"]): shared by the
    web servers and the workers, never served."""
    from django.core.files.storage import storages

    return storages["imports"]


class ImportJob(models.Model):
    """Runs brought in by the task worker (checkins.transfer.import_jobs): one watch file
    that pre-fills a check-in, many files or a Strava export, or an Aftermath export.

    The upload request only stores the files (`ImportUpload`) and enqueues the job. The
    worker splits them into items and imports each in its own short transaction, holding
    the job's lease while it works; a worker killed mid-job leaves the lease to expire,
    and the job is resumed where it stopped (see import_jobs.resume_stalled).
    """

    class Kind(models.TextChoices):
        FILES = "files", "runs from files"
        CHECKIN = "checkin", "a check-in from one file"
        EXPORT = "export", "an Aftermath export"

    runner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FILES)
    filename = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker holding the job works until lease_until and renews it as it goes.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_holder = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)  # its latest task (django-tasks-db's result id)
    # Refusals of an upload as a whole (an unsafe archive), shown in the report.
    refused = models.TextField(blank=True)
    # CHECKIN: what the file gave for the check-in form (metric, JSON-safe).
    prefill = models.JSONField(null=True, blank=True)
    # EXPORT: runs in the file, runs done so far, and stored or already here.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["finished_at", "lease_until"], name="import_job_unfinished")]

    def __str__(self) -> str:
        return f"Import of {self.filename}"


class ImportUpload(models.Model):
    """One uploaded file, stored until the worker has read it (then removed)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="uploads")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=255)
    # Stored by import_jobs.start_job before the job's row exists (so the copy of a large
    # file holds no transaction open): the name is given, never generated from the row.
    file = models.FileField(storage=_import_storage, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    split = models.BooleanField(default=False)  # its items exist
    removed = models.BooleanField(default=False)  # its bytes are gone

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="import_upload_position")]

    def __str__(self) -> str:
        return self.name


class ImportItem(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "waiting"
        IMPORTED = "imported", "imported"
        SKIPPED = "skipped", "skipped"
        REFUSED = "refused", "refused"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    name = models.CharField(max_length=500)
    upload = models.ForeignKey(
        ImportUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    member = models.CharField(
        max_length=500, blank=True
    )  # its name in the upload's archive; "" for the upload itself
    csv_name = models.CharField(max_length=255, blank=True)
    csv_type = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=300, blank=True)
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="import_item_position")]
        indexes = [models.Index(fields=["job", "status"], name="import_item_status")]

    def __str__(self) -> str:
        return self.name


# --- Sharing the report for a doctor, and the account's activity ------------------------


class ExpiresOrRevoked:
    """A credential with `expires_at` and `revoked_at`: a share link, an API token."""

    def state(self, now: dt.datetime | None = None) -> str:
        """ "revoked", "expired" or "active"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"


class ShareLink(ExpiresOrRevoked, models.Model):
    """A read-only link to the runner's report for a doctor over one period
    (checkins.transfer.share): shown once, stored only as the SHA-256 of its token, until it
    expires or is revoked. It opens that report and nothing else."""

    runner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    start = models.DateField()
    end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    # The form's key: the same form sent twice (a double tap) makes one link.
    request_key = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lte=models.F("end")), name="share_link_period"),
            models.UniqueConstraint(fields=["runner", "request_key"], name="share_link_request_once"),
        ]

    def __str__(self) -> str:
        return f"Report {self.start} to {self.end} of {self.runner}"


class AccountEvent(models.Model):
    """Something that happened to a runner's account, for their activity list
    (checkins.activity): kept 90 days."""

    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events"
    )
    kind = models.CharField(max_length=32)  # a code of checkins.activity.KINDS
    at = models.DateTimeField(default=timezone.now, db_index=True)
    network = models.CharField(max_length=48, blank=True)  # the address cut to its network (/24, /48)
    device = models.CharField(max_length=60, blank=True)  # "Firefox on Android", from the user agent
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["runner", "-at"], name="account_event_runner_at")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at}"


class RateCount(models.Model):
    """Requests counted per key in a fixed window (checkins.ratelimit): password-reset
    e-mails per address and per client, guesses at share links per client. In the
    database, so that the limit holds across every app server (the cache is each
    process's own). The key is a keyed hash, never the address itself."""

    key = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key[:8]}…: {self.count} since {self.window_start:%H:%M}"


# Reminders (checkins.reminders) keep their models in their own package.
from .reminders.models import PushSubscription, Reminder, ReminderSettings  # noqa: E402, F401
