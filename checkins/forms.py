"""The forms of checkins: the account (sign-up, log-in and passwords, the first-use notice,
settings, deleting it), the check-in and its follow-up, and periods with the history's
filters. Every one is rendered by `{% crispy form %}` (checkins.form_layout)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from urllib.parse import urlencode

from crispy_forms.layout import Div, Layout
from django import forms
from django.conf import settings
from django.contrib.auth.forms import (
    AuthenticationForm,
    BaseUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join

from advice.units import Units
from advice.vocabulary import (
    COOLDOWN_LABELS,
    MUSCLE_LABELS,
    RUN_TYPE_LABELS,
    SYMPTOM_LABELS,
)
from config.net import client_ip

from . import plausible
from .form_layout import CrispyForm, Details, Pair, Section
from .measures import MEASURES, metric_measures, show_measures
from .models import CHECKIN_ANSWER_KEYS, CheckIn, Profile, Run, User, WeightUnit
from .passwords import WRONG as WRONG_PASSWORD
from .passwords import password_rechecked
from .ratelimit import allow
from .zones import NOT_LISTED, TimeZoneField, ZoneSelect, known_zones, listed_zones

EMAIL_MAX_LENGTH = 254  # RFC 5321's limit on a path, Django's EmailField's max_length
TOO_LONG_EMAIL = f"An e-mail address is at most {EMAIL_MAX_LENGTH} characters long."


class SignupForm(CrispyForm, BaseUserCreationForm):
    """E-mail and password: the least a runner types on a phone to start.

    The browser's time zone comes along in a hidden field (static/js/timezone.js),
    so dates are right from the first run; without JavaScript it stays UTC and
    the runner can pick it in the settings.
    """

    time_zone = forms.CharField(required=False, widget=forms.HiddenInput(attrs={"data-browser-zone": ""}))

    class Meta:
        model = User
        fields = ("email",)
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password2"].label = "Repeat the password"
        self.fields["password2"].help_text = ""

    def clean_time_zone(self) -> str:
        name = self.cleaned_data.get("time_zone") or ""
        return name if name in known_zones() else "UTC"

    def save_profile(self, user) -> None:
        """The browser's zone on the new runner's profile (made with the user)."""
        user.profile.time_zone = self.cleaned_data["time_zone"]
        user.profile.save(update_fields=["time_zone"])

    def clean_email(self):
        # Whether the address has an account is not said here: checkins.signup e-mails it.
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    # The address's account, if any, is checkins.signup's business (see clean_email): the
    # model's unique address is not checked here, to say nothing about it.
    def validate_unique(self):
        pass

    def validate_constraints(self):
        pass


class ConfirmSignupForm(CrispyForm, forms.Form):
    """The password chosen at sign-up, with the e-mailed link (checkins.signup)."""

    password = forms.CharField(
        label="The password you chose",
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                "That is not the password of this sign-up. Signed up again since? Use the newest e-mail."
            )
        return password


# Django's account forms (config/urls.py), rendered the app's one way.
class LoginForm(CrispyForm, AuthenticationForm):
    def clean_username(self):
        # Django's form sets a max_length on this field after making it, without the
        # validator: a longer name would go on to the database and to django-axes' records.
        username = self.cleaned_data["username"]
        if len(username) > EMAIL_MAX_LENGTH:
            raise forms.ValidationError(TOO_LONG_EMAIL)
        return username


class ChangePasswordForm(CrispyForm, PasswordChangeForm):
    """The old password is checked like a log-in (checkins.passwords): django-axes counts a
    wrong one and locks the account out after too many."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        if not password_rechecked(self.request, self.user, old_password):
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class ResetPasswordForm(CrispyForm, PasswordResetForm):
    """Reset e-mails are limited per address and per client (checkins.ratelimit): past a
    limit nothing is sent, and the page answers as it always does, so the limit says
    nothing about the address."""

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"].lower()
        if not allow("reset-client", client_ip(request) or "", limit=settings.PASSWORD_RESET_PER_CLIENT):
            return
        if not allow("reset-address", email, limit=settings.PASSWORD_RESET_PER_ADDRESS):
            return
        super().save(*args, request=request, **kwargs)


class NewPasswordForm(CrispyForm, SetPasswordForm):
    pass


class NoticeForm(CrispyForm, forms.Form):
    understood = forms.BooleanField(
        label="I understand that Aftermath is not a medical device and does not replace a doctor.",
        error_messages={"required": "Please tick the box to confirm you have read this."},
    )


class DeleteAccountForm(CrispyForm, forms.Form):
    password = forms.CharField(
        label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, user, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not password_rechecked(self.request, self.user, password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password


def body_weight_label(shown: str):
    """ "Body weight (kg)" and "(lb)", one shown: the one for the weight unit ticked above.

    Both are in the page; static/css/aftermath.css shows the one whose unit is ticked
    as it is ticked, without JavaScript; `shown` is the one a browser without :has() shows.
    """
    return format_html_join(
        "",
        '<span class="wu wu-{}{}">Body weight ({})</span>',
        ((unit, "" if unit == shown else " wu-other", unit) for unit in WeightUnit.values),
    )


# A body weight is a weight, in the range of one before a run.
BODY_WEIGHT = MEASURES["weight_before"]


class ProfileForm(CrispyForm, forms.ModelForm):
    """Display units, time zone, body weight (shown in the chosen unit) and medicines."""

    # Places, common ones first (checkins.zones); the runner's stored zone stays valid and shown.
    time_zone = TimeZoneField(widget=ZoneSelect(attrs={"data-zone-suggest": ""}))

    # The body weight, in the chosen unit, comes right after the units.
    field_order = ("distance_unit", "temperature_unit", "volume_unit", "weight_unit", "body_weight")

    body_weight = forms.FloatField(
        label="Body weight",
        required=False,
        help_text="Optional. Used to size drinking and carbohydrate suggestions.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )

    class Meta:
        model = Profile
        fields = (
            "distance_unit",
            "temperature_unit",
            "volume_unit",
            "weight_unit",
            "time_zone",
            "medications",
            "medication_changed",
        )
        labels = {
            "distance_unit": "Distance in",
            "temperature_unit": "Temperature in",
            "volume_unit": "Fluids in",
            "weight_unit": "Weight in",
            "medications": "Medicines you take",
        }
        help_texts = {
            "medications": (
                "Some medicines can play a part in cramps and twitches. "
                "Aftermath never suggests stopping one."
            ),
        }
        widgets = {
            "distance_unit": forms.RadioSelect,
            "temperature_unit": forms.RadioSelect,
            "volume_unit": forms.RadioSelect,
            "weight_unit": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = self.instance.units
        chosen = self.data.get("weight_unit") if self.is_bound else None
        chosen = chosen if chosen in WeightUnit.values else units.weight
        self.fields["body_weight"].label = body_weight_label(chosen)
        if self.instance.body_weight_kg is not None:
            self.initial["body_weight"] = BODY_WEIGHT.shown(units, self.instance.body_weight_kg)

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"]
        if name not in listed_zones() and name != self.instance.time_zone:
            raise forms.ValidationError(NOT_LISTED)
        return name

    def clean(self):
        cleaned = super().clean()
        weight = cleaned.get("body_weight")
        units = Units(weight=cleaned.get("weight_unit") or self.instance.weight_unit)
        if weight is not None and "body_weight" not in self.changed_data and self.instance.body_weight_kg:
            # The number was left as shown: the same weight, whatever unit is ticked now.
            cleaned["body_weight_kg"] = self.instance.body_weight_kg
        elif weight is not None:
            kg = BODY_WEIGHT.metric(units, weight)
            if BODY_WEIGHT.in_range(kg):
                cleaned["body_weight_kg"] = kg
            else:
                self.add_error("body_weight", BODY_WEIGHT.refusal(units))
        return cleaned

    def save(self, commit=True):
        self.instance.body_weight_kg = self.cleaned_data.get("body_weight_kg")
        return super().save(commit=commit)


# --- Periods and the history's filters ------------------------------------------

LATEST_DATE = dt.date(2100, 12, 31)  # the last day a period may name


class DateRangeForm(CrispyForm, forms.Form):
    """A period: from and to, both optional, to not before from; in the query string.

    A "To" before "From" is named at "To" and neither date is used, so a page never
    shows a period the runner did not ask for as if it were the one they chose: "From"
    is marked invalid too, and points at the message at "To".
    """

    form_method = "get"

    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    range_reversed = False  # set by clean(): "To" before "From"

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            day = cleaned.get(name)
            first, last = plausible.EARLIEST_START, LATEST_DATE
            if day is not None and not first.date() <= day <= last:
                self.add_error(
                    name, f"Enter a date from {first.day} {first:%b %Y} up to {last.day} {last:%b %Y}."
                )
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                f"“To” is before “From”: choose a day on or after {start.day} {start:%b %Y}, "
                "or change “From”.",
            )
            cleaned.pop("start", None)  # neither date applies while the period is the wrong way round
            self.range_reversed = True
        return cleaned

    def full_clean(self):
        super().full_clean()
        if self.range_reversed and "start" not in self.errors:
            start = self.fields["start"]
            start.errors_at = "end"
            start.widget.attrs = {**start.widget.attrs, "aria-invalid": "true", "class": "is-invalid"}

    def layout(self) -> Layout:
        return Layout(*(name for name in self.fields if name not in ("start", "end")), Pair("start", "end"))

    @property
    def dates_refused(self) -> bool:
        """True when a date was given but cannot be used (shown at its field)."""
        return self.is_bound and not self.is_valid() and any(n in self.errors for n in ("start", "end"))


class HistoryFilter(DateRangeForm):
    """Filters live in the query string, so a filtered view can be bookmarked and shared."""

    field_order = ["twitching", "muscle", "start", "end"]

    twitching = forms.BooleanField(label="Only runs with twitching", required=False)
    muscle = forms.ChoiceField(
        label="Muscle group", required=False, choices=[("", "Any"), *MUSCLE_LABELS.items()]
    )

    def _usable(self) -> dict:
        """The filters that can be applied: an invalid one is left out (its error is shown)."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def apply(self, runs):
        """Narrow a Run queryset by every valid filter; invalid ones show their errors instead."""
        data = self._usable()
        if data.get("twitching"):
            runs = runs.filter(checkin__twitching=True)
        if data.get("muscle"):
            runs = runs.filter(checkin__muscles__contains=f",{data['muscle']},")
        if data.get("start"):
            runs = runs.filter(date__gte=data["start"])
        if data.get("end"):
            runs = runs.filter(date__lte=data["end"])
        return runs

    @property
    def period(self) -> tuple[dt.date | None, dt.date | None]:
        data = self._usable()
        return data.get("start"), data.get("end")

    def query_string(self) -> str:
        """The filters in use as a query string, without the page number."""
        data = self._usable()
        pairs = [(name, self.data[name]) for name in self.fields if data.get(name) and self.data.get(name)]
        return urlencode(pairs)


# --- The check-in: one run and what followed it, in the runner's units ---------

YES_NO = (("yes", "Yes"), ("no", "No"))


class FixedChoices:
    """A choice field whose choices are the same in every form: each form's copy shares them.

    Django deep-copies a form's fields for every form it builds, choices included;
    for the check-in form (its page, every save, every live preview) that copying
    was most of the time the form took to build. These fields' choices never change
    once defined, so a copy gets its own widget attributes, messages and validators,
    as Django's own copy does, but not a copy of each choice.
    """

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.copy(self.widget)
        result.widget.attrs = self.widget.attrs.copy()
        result.error_messages = self.error_messages.copy()
        result.validators = self.validators[:]
        return result


class FixedChoiceField(FixedChoices, forms.TypedChoiceField):
    pass


class FixedMultipleChoiceField(FixedChoices, forms.MultipleChoiceField):
    pass


def yes_no(label: str) -> forms.TypedChoiceField:
    """A question answered yes or no; left alone it stays "not answered" (None)."""
    return FixedChoiceField(
        label=label,
        choices=YES_NO,
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


def error_links(form: forms.Form, names=None) -> list[dict]:
    """{"name", "label"} of each field with an error, for the list of links at the top of a form.

    The template joins them with commas ("Distance (km), Time (minutes).") in its own markup.
    """
    return [
        {
            "name": form[name].html_name,
            "label": SHORT_LABELS.get(name) or str(form.fields[name].label).rstrip("?"),
        }
        for name in (names if names is not None else form.fields)
        if name in form.errors and name in form.fields
    ]


def as_yes_no(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def chips(label: str, choices, *, coerce=str, style: str = "") -> forms.TypedChoiceField:
    """One answer of a few, as chips (`style`: "numbers" or "swatches", see forms/field.html)."""
    field = FixedChoiceField(
        label=label,
        choices=choices,
        coerce=coerce,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    field.chips = style
    return field


# The check-in answers this form asks right after the run (the follow-up asks the rest).
CHECKIN_KEYS = tuple(key for key in CHECKIN_ANSWER_KEYS if key in CheckIn.asked_after_run)
# What a new check-in offers from the runner's previous run, one section at a
# time, behind a "Same as last run: ..." button: nothing is filled in (nor stored)
# unless the runner taps it. The things that rarely change from run to run.
SAME_AS_LAST = {
    "run": ("distance", "duration_min", "effort", "run_type"),
    "fuel": ("fluid", "electrolytes_during", "carbs_before_g", "carbs_before_min"),
    "stop": ("cooldown",),
}
# A check-in holds at least one of these: the run (distance or time), or twitching yes or no.
AT_LEAST_ONE = ("distance", "duration_min", "twitching")
NOTHING_ANSWERED = (
    "Nothing to save yet: enter the run's distance or time, or answer whether anything twitched."
)
# Shorter names for the list of fields to look at, at the top of the form.
SHORT_LABELS = {
    "effort": "Effort",
    "intensity": "How strong",
    "twitching": "Twitching",
    "urine_color": "Urine colour",
    "muscles": "Where it twitched",
    "symptoms": "Anything else",
}
DATETIME_WIDGET = {"attrs": {"type": "datetime-local"}, "format": "%Y-%m-%dT%H:%M"}
URINE_LABELS = {
    1: "1, very pale",
    2: "2, pale",
    3: "3, pale yellow",
    4: "4, yellow",
    5: "5, dark yellow",
    6: "6, amber",
    7: "7, dark amber",
    8: "8, brown-amber",
}


class CheckInForm(CrispyForm, forms.Form):
    """The whole post-run check-in. Shown in the runner's units, stored in metric.

    Every answer is optional (a missing answer means "not answered"); each value
    that is given must be within the domain's range, and an error names its field
    in the runner's own unit.
    """

    idempotency_key = forms.UUIDField(
        label="This form",
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("required", "invalid"), "This form is out of date: reload the page."),
    )
    # A new check-in asks when the run finished (the runner has just stopped) and
    # works out the start from the time; an edit, or a run from a watch file, shows
    # the stored start. Each form has one of the two fields (see __init__).
    started_at = forms.DateTimeField(
        label="Started",
        widget=forms.DateTimeInput(**DATETIME_WIDGET),
        error_messages={"required": "Enter when the run started."},
    )
    finished_at = forms.DateTimeField(
        label="Finished",
        help_text="When you stopped; the start is worked out from the time.",
        widget=forms.DateTimeInput(**DATETIME_WIDGET),
        error_messages={"required": "Enter when you finished the run."},
    )
    distance = MEASURES["distance"].field()
    duration_min = MEASURES["duration_min"].field()
    effort = chips(
        "Effort (1 easy – 10 all out)", [(n, str(n)) for n in range(1, 11)], coerce=int, style="numbers"
    )
    run_type = chips("Type", list(RUN_TYPE_LABELS.items()))
    temperature = MEASURES["temperature"].field()
    humidity_pct = MEASURES["humidity_pct"].field()
    fluid = MEASURES["fluid"].field()
    electrolytes_during = yes_no("Electrolyte drink or tablets during the run")
    carbs_before_g = MEASURES["carbs_before_g"].field()
    carbs_before_min = MEASURES["carbs_before_min"].field()
    meal_before_h = MEASURES["meal_before_h"].field()
    spicy_meal = yes_no("Spicy food before the run")
    cooldown = chips("How you stopped", list(COOLDOWN_LABELS.items()))
    weight_before = MEASURES["weight_before"].field()
    weight_after = MEASURES["weight_after"].field()
    twitching = yes_no("Any twitching since the run?")
    muscles = FixedMultipleChoiceField(
        label=format_html(
            'Where <span class="text-body-secondary small">{}</span>', "(tap the body or the list)"
        ),
        choices=list(MUSCLE_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    muscles.picture = "checkins/_bodymap.html"  # tapping a muscle ticks its chip (checkin.js)
    intensity = chips(
        "How strong (0 barely – 10 very)", [(n, str(n)) for n in range(11)], coerce=int, style="numbers"
    )
    visible = yes_no("Can you see it under the skin?")
    cramps = yes_no("Painful cramps or spasms too?")
    weakness = yes_no("Does a muscle feel weak?")
    symptoms = FixedMultipleChoiceField(
        label="Anything else?",
        choices=list(SYMPTOM_LABELS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urine_color = chips(
        "Urine colour since the run", list(URINE_LABELS.items()), coerce=int, style="swatches"
    )
    rehydrated = yes_no("Drunk water with some salt or electrolytes since?")
    notes = forms.CharField(
        label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    avg_heart_rate_bpm = forms.IntegerField(
        label="Average heart rate (bpm)",
        required=False,
        min_value=plausible.limits("avg_heart_rate_bpm")[0],
        max_value=plausible.limits("avg_heart_rate_bpm")[1],
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, units: Units, offers: dict | None = None, require_answer=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        # "Same as last run" offers per section (see same_as_last); shown, never stored by themselves.
        self.offers = offers or {}
        # A check-in to save needs an answer about the run or twitching (the live preview does not).
        self.require_answer = require_answer
        self.nothing_answered = ""  # the message at the top when nothing was answered
        # A finish time for a new check-in; a start for an edit or a watch file's run.
        if self.is_bound:
            self.asks_finish = "finished_at" in self.data and "started_at" not in self.data
        else:
            self.asks_finish = "started_at" not in self.initial
        del self.fields["started_at" if self.asks_finish else "finished_at"]
        show_measures(self, units)

    def layout(self) -> Layout:
        """The page in the order a runner thinks: the run, conditions, fluids and fuel, how
        they stopped, their muscles; the previous run's answers offered per section."""
        return Layout(
            "idempotency_key",
            Section(
                "The run",
                "finished_at" if self.asks_finish else "started_at",
                Pair("distance", "duration_min"),
                "effort",
                "run_type",
                css_id="s-run",
                offer="run",
            ),
            Section("Conditions", Pair("temperature", "humidity_pct"), css_id="s-conditions"),
            Section(
                "Fluids and fuel",
                "fluid",
                "electrolytes_during",
                Pair("carbs_before_g", "carbs_before_min"),
                "meal_before_h",
                "spicy_meal",
                Details(
                    "Weighed yourself before and after? Heart rate?",
                    Pair("weight_before", "weight_after"),
                    "avg_heart_rate_bpm",
                ),
                css_id="s-fuel",
                offer="fuel",
            ),
            Section("Stopping", "cooldown", css_id="s-stop", offer="stop"),
            Section(
                "Your muscles",
                "twitching",
                Div("muscles", "intensity", "visible", css_class="twitch-details"),
                "cramps",
                "weakness",
                "symptoms",
                "urine_color",
                "rehydrated",
                "notes",
                css_id="s-twitch",
            ),
        )

    def clean_started_at(self):
        # One rule for every way a run comes in (checkins.plausible): year 1 or 9999 never
        # reaches the time zone and history arithmetic, which overflows near the calendar's ends.
        started = self.cleaned_data["started_at"]
        if plausible.start_problem(started):
            raise forms.ValidationError(self.when_refused("start"))
        return started

    def clean_finished_at(self):
        finished = self.cleaned_data["finished_at"]
        if plausible.start_problem(finished):
            raise forms.ValidationError(self.when_refused("finish"))
        return finished

    @staticmethod
    def when_refused(what: str) -> str:
        first = plausible.EARLIEST_START
        return f"Enter a {what} from {first.day} {first:%b %Y} up to now."

    def clean(self):
        cleaned = super().clean()
        self._clean_measures(cleaned)
        if self.asks_finish and cleaned.get("finished_at") is not None:
            # The start is the finish less the time, when the time is given (and valid).
            minutes = cleaned.get("duration_min") if "duration_min" not in self.errors else None
            started = cleaned["finished_at"] - dt.timedelta(minutes=minutes or 0)
            if plausible.start_problem(started) is None:
                cleaned["started_at"] = started
            else:
                self.add_error("finished_at", self.when_refused("finish"))
        answered = any(name in self.errors or cleaned.get(name) is not None for name in AT_LEAST_ONE)
        if self.require_answer and not answered:
            # One tap on Save stores nothing: a check-in says at least something about the run.
            self.nothing_answered = NOTHING_ANSWERED
            self.add_error("distance", "Enter the distance or the time.")
            self.add_error("duration_min", "Enter the time or the distance.")
            self.add_error("twitching", "Answer this, or enter the run's distance or time.")
        return cleaned

    def error_links(self) -> list[dict]:
        """The fields with errors, in page order (the hidden key last), for the list at the top."""
        names = [name for name in self.fields if name != "idempotency_key"] + ["idempotency_key"]
        return error_links(self, names)

    def _clean_measures(self, cleaned: dict) -> None:
        for key, value in metric_measures(self, cleaned, self.units).items():
            try:  # the model's limits: a floor under the domain's open minimum (0.01 km, 0.1 min)
                Run._meta.get_field(key).run_validators(value)
            except forms.ValidationError:
                measure = next(m for m in MEASURES.values() if m.key == key)
                self.add_error(measure.name, measure.refusal(self.units, limits=plausible.limits(key)))
            else:
                cleaned[key] = value

    # --- to and from the models ----------------------------------------------
    def run_values(self) -> dict:
        """Run fields, metric, ready for the model."""
        data = self.cleaned_data
        values = {measure.key: data.get(measure.key) for measure in MEASURES.values()}
        values.update(
            started_at=data.get("started_at"),
            effort=data.get("effort"),
            run_type=data.get("run_type") or "",
            electrolytes_during=data.get("electrolytes_during"),
            spicy_meal=data.get("spicy_meal"),
            cooldown=data.get("cooldown") or "",
            notes=data.get("notes", ""),
            avg_heart_rate_bpm=data.get("avg_heart_rate_bpm"),
        )
        return values

    def checkin_values(self) -> dict:
        data = self.cleaned_data
        values = {key: data.get(key) for key in CHECKIN_KEYS}
        values["muscles"] = list(data.get("muscles") or [])
        values["symptoms"] = list(data.get("symptoms") or [])
        if not data.get("twitching"):
            # Twitch details belong to a "yes"; a "no" with stale details keeps none.
            for key in ("muscles", "intensity", "visible"):
                values[key] = [] if key == "muscles" else None
        return values

    def answers(self) -> dict:
        """The domain's answers mapping for what was typed (for the live preview)."""
        values = {**self.run_values(), **self.checkin_values()}
        answers = {k: v for k, v in values.items() if v not in (None, "", [])}
        for key in ("started_at", "notes", "avg_heart_rate_bpm"):
            answers.pop(key, None)
        return answers

    @classmethod
    def initial_from(cls, run, *, units: Units, keys=None) -> dict:
        """Initial values (display units) from a saved run, for editing or as defaults."""
        checkin = getattr(run, "checkin", None)
        initial: dict = {}
        for name, measure in MEASURES.items():
            value = getattr(run, measure.key)
            if value is not None:
                initial[name] = measure.shown(units, value)
        for key in ("effort", "run_type", "cooldown", "notes", "avg_heart_rate_bpm"):
            initial[key] = getattr(run, key) or None
        for key in ("electrolytes_during", "spicy_meal"):
            initial[key] = as_yes_no(getattr(run, key))
        if checkin is not None:
            for key in ("twitching", "visible", "cramps", "weakness", "rehydrated"):
                initial[key] = as_yes_no(getattr(checkin, key))
            initial.update(
                muscles=checkin.muscles,
                symptoms=checkin.symptoms,
                intensity=checkin.intensity,
                urine_color=checkin.urine_color,
            )
        if keys is not None:
            initial = {k: v for k, v in initial.items() if k in keys}
        return {k: v for k, v in initial.items() if v not in (None, "", [])}

    @classmethod
    def same_as_last(cls, run, *, units: Units, skip=()) -> dict:
        """Per section, the previous run's answers to offer behind a "Same as last run" button.

        section -> {"values": JSON of field name -> value as the form posts it,
        "summary": "12 km, 70 min, effort 5, long run"} in the runner's units; a
        section the previous run left unanswered (or only has fields in `skip`,
        those a watch file filled in) offers nothing.
        """
        offers = {}
        for section, names in SAME_AS_LAST.items():
            keys = [name for name in names if name not in skip]
            values = cls.initial_from(run, units=units, keys=keys)
            if values:
                offers[section] = {
                    "values": json.dumps({name: str(value) for name, value in values.items()}),
                    "summary": _offer_summary(values, units),
                }
        return offers

    @classmethod
    def initial_from_file(cls, values: dict, *, units: Units) -> dict:
        """Initial values from a watch file's summary (metric, as kept in the session).

        Only what could be stored is filled in: an implausible start (a file dated year 1)
        or value is left out, so the form asks for it as for any new check-in.
        """
        initial: dict = {}
        try:
            started = parse_datetime(str(values.get("started_at", "")))
        except ValueError:  # well formed but not on the calendar
            started = None
        if started is not None and plausible.start_problem(started) is None:
            initial["started_at"] = timezone.localtime(started).replace(second=0, microsecond=0)
        for name in ("distance", "duration_min", "temperature"):
            value = values.get(MEASURES[name].key)
            if value is not None and plausible.value_problem(MEASURES[name].key, value) is None:
                initial[name] = MEASURES[name].shown(units, value)
        heart_rate = values.get("avg_heart_rate_bpm")
        if heart_rate is not None and plausible.value_problem("avg_heart_rate_bpm", heart_rate) is None:
            initial["avg_heart_rate_bpm"] = heart_rate
        return initial


def _offer_summary(values: dict, units: Units) -> str:
    """ "12 km, 70 min, effort 5, long run": the answers an offer fills in, in the runner's units."""
    parts = []
    if "distance" in values:
        parts.append(f"{values['distance']} {units.distance_label}")
    if "duration_min" in values:
        parts.append(f"{values['duration_min']} min")
    if "effort" in values:
        parts.append(f"effort {values['effort']}")
    if "run_type" in values:
        parts.append(RUN_TYPE_LABELS.get(values["run_type"], values["run_type"]).lower())
    if "fluid" in values:
        parts.append(f"{values['fluid']} {units.volume_label}" if values["fluid"] else "nothing drunk")
    if "electrolytes_during" in values:
        parts.append("electrolytes" if values["electrolytes_during"] == "yes" else "no electrolytes")
    grams = values.get("carbs_before_g")
    if grams is not None:
        parts.append(f"{grams} g carbohydrate" if grams else "no carbohydrate")
    if "carbs_before_min" in values and grams != 0:
        parts.append(f"eaten {values['carbs_before_min']} min before")
    if "cooldown" in values:
        parts.append(COOLDOWN_LABELS.get(values["cooldown"], values["cooldown"]).lower())
    return ", ".join(parts)


class FollowUpForm(CrispyForm, forms.Form):
    """The days after a check-in with twitching: sleep, still twitching, weakness, daily life.

    It needs at least one answer: Save with nothing answered keeps it open. The
    questions name the time of day in the runner's zone ("this morning").
    """

    sleep_disrupted = yes_no("Did twitching disturb your sleep?")
    still_twitching = yes_no("Is it still twitching?")
    weakness = yes_no("Does a muscle feel weak?")
    daily_life_disrupted = yes_no("Does it get in the way of your day?")

    NOTHING_ANSWERED = "Answer at least one question to save the follow-up. It stays open until you do."

    def __init__(self, *args, checkin, part_of_day: str = "today", **kwargs):
        if checkin.followup_at is not None:  # answered before: show what was said, to change it
            kwargs.setdefault(
                "initial", {name: as_yes_no(getattr(checkin, name)) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)
        self.checkin = checkin
        self.nothing_answered = ""  # the message at the top when nothing was answered
        self.fields["still_twitching"].label = f"Is it still twitching {part_of_day}?"

    def error_links(self) -> list[dict]:
        return error_links(self)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and all(cleaned.get(name) is None for name in self.fields):
            self.nothing_answered = self.NOTHING_ANSWERED
            for name in self.fields:
                self.add_error(name, "Not answered yet.")
        return cleaned

    def save(self):
        for name in self.fields:
            value = self.cleaned_data.get(name)
            if value is not None:
                setattr(self.checkin, name, value)
        self.checkin.followup_at = timezone.now()
        self.checkin.save()
        return self.checkin
