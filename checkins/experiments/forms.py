"""The experiments' forms: starting one, and the check-in's one question."""

from __future__ import annotations

import datetime as dt

from django import forms

from advice.experiments import CHANGES, WEEKS_CHOICES

from ..form_layout import CrispyForm
from ..forms import yes_no


class StartExperimentForm(CrispyForm, forms.Form):
    """One change, two to four weeks, every day or alternating weeks. Nothing is chosen for
    the runner: the change a page offers is ticked, the rest they pick themselves."""

    idempotency_key = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("required", "invalid"), "This form is out of date: reload the page."),
    )
    change = forms.ChoiceField(
        label="The change to try",
        choices=[(code, change.title) for code, change in CHANGES.items()],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the change to try.",
            "invalid_choice": "Choose one of these changes.",
        },
    )
    weeks = forms.TypedChoiceField(
        label="For how long",
        choices=[(n, f"{n} weeks") for n in WEEKS_CHOICES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose two, three or four weeks.",
            "invalid_choice": "Choose two, three or four weeks.",
        },
    )
    alternating = forms.TypedChoiceField(
        label="Every week, or every other week?",
        choices=[("no", "Every week"), ("yes", "A week with it, a week without, in turn")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        help_text="Taking turns tells the change apart from the season or your training better than "
        "comparing with the weeks before you started. In the weeks without it, keep to your usual.",
        error_messages=dict.fromkeys(
            ("required", "invalid_choice"), "Choose every week or every other week."
        ),
    )

    def clean(self):
        data = super().clean()
        # Two weeks in turns is one week a side: three to five runs, below the five a side
        # the comparison needs (advice.stats.MIN_RUNS_PER_SIDE), so it could never tell.
        if data.get("alternating") and data.get("weeks") == 2:
            self.add_error(
                "alternating",
                "Two weeks in turns is one week with it and one without: too few runs to tell. "
                "Choose three or four weeks, or every week.",
            )
        return data


class ExperimentQuestionForm(CrispyForm, forms.Form):
    """The check-in's question during an experiment: answered or left alone (then nothing is
    stored)."""

    experiment_kept = yes_no("")
    # The day the question was asked for: its answer counts only for a run on a day that
    # asks the same question (in an alternating plan, a week with the change and a week
    # without ask opposite things).
    experiment_day = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["experiment_kept"].label = question

    @property
    def answer(self) -> bool | None:
        if not self.is_valid():
            return None
        return self.cleaned_data.get("experiment_kept")

    @property
    def asked_on(self) -> dt.date | None:
        return self.cleaned_data.get("experiment_day") if self.is_valid() else None
