"""The one field template (templates/forms/field.html) as {% crispy form %} draws it: each
kind of field with Bootstrap's classes and the ids it points at, the same however often a
form is drawn."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse

from advice.forms import HydrationForm
from advice.units import Units
from checkins.form_layout import WRITTEN_WIDGETS
from checkins.forms import (
    CheckInForm,
    DeleteAccountForm,
    HistoryFilter,
    NoticeForm,
    ProfileForm,
    SignupForm,
)
from tests.helpers import Tree, checkin_post

CRISPY = Template("{% load crispy_forms_tags %}{% crispy form %}")


def drawn(form) -> Tree:
    return Tree(CRISPY.render(Context({"form": form}))).root


def test_each_kind_of_field_gets_its_classes_and_points_at_its_slots():
    page = drawn(CheckInForm(units=Units()))
    distance = page.find("input", name="distance")
    assert distance.attrs["class"] == "numberinput form-control"
    assert distance.attrs["aria-describedby"] == "err-distance"
    finished = page.find("input", name="finished_at")  # with help: the help first, then the slot
    assert finished.attrs["aria-describedby"] == "help-finished_at err-finished_at"
    assert page.find("div", id="help-finished_at") and page.find("div", id="err-finished_at")
    notes = page.find("textarea", name="notes")
    assert notes.attrs["class"] == "textarea form-control"
    hidden = page.find("input", name="idempotency_key")
    assert "class" not in hidden.attrs and "aria-describedby" not in hidden.attrs
    # Choices are chips in a fieldset that points at the slot; no Bootstrap class on the inputs.
    effort = next(f for f in page.find_all("fieldset") if f.find_all("input", name="effort"))
    assert effort.attrs["aria-describedby"] == "err-effort"
    assert effort.find("div", cls="chips").classes == {"chips", "chips-numbers"}
    chips = effort.find_all("label", cls="chip")
    assert [chip.text for chip in chips] == [str(n) for n in range(1, 11)]
    first = chips[0].find("input")
    assert chips[0].attrs["for"] == first.attrs["id"] == "id_effort_0"
    assert (first.attrs["type"], first.attrs["value"], "class" in first.attrs) == ("radio", "1", False)
    colours = next(f for f in page.find_all("fieldset") if f.find_all("input", name="urine_color"))
    swatches = [label.find("span").classes for label in colours.find_all("label", cls="chip")]
    assert swatches[0] == {"swatch", "swatch-1"} and len(swatches) == len(colours.find_all("input"))
    assert page.find("svg", cls="bodymap")  # the muscles' picture before their chips


def test_a_select_and_a_lone_check_box():
    profile = drawn(ProfileForm())
    assert profile.find("select", name="time_zone").attrs["class"] == "zoneselect form-select"
    notice = drawn(NoticeForm())
    box = notice.find("input", name="understood")
    assert box.attrs["class"] == "checkboxinput form-check-input"
    assert box.parent.classes == {"form-check", "mb-3"}
    assert box.attrs["aria-describedby"] == "err-understood"


def test_an_error_marks_the_input_and_fills_its_slot():
    form = DeleteAccountForm({"password": ""}, user=None)
    page = drawn(form)
    password = page.find("input", name="password")
    assert password.attrs["class"] == "passwordinput form-control is-invalid"
    assert password.attrs["aria-invalid"] == "true"
    assert page.find("div", id="err-password").text == "This field is required."
    checked = drawn(CheckInForm({"effort": "3", "muscles": ["calves", "quads"]}, units=Units()))
    ticked = [i.attrs["value"] for i in checked.find_all("input") if "checked" in i.attrs]
    assert sorted(ticked) == ["3", "calves", "quads"]


@pytest.mark.parametrize("make", [lambda: CheckInForm(units=Units()), ProfileForm, NoticeForm])
def test_drawing_a_form_changes_none_of_its_widgets(make):
    form = make()
    before = {name: dict(field.widget.attrs) for name, field in form.fields.items()}
    first = CRISPY.render(Context({"form": form}))
    assert {name: dict(field.widget.attrs) for name, field in form.fields.items()} == before
    assert CRISPY.render(Context({"form": form})) == first


WRONG = {
    "distance": "-5",
    "temperature": "hot",
    "effort": "11",
    "muscles": ["calves", "nose"],
    "notes": "x" * 2001,
}
FORMS = [  # unbound, with initial values in other units, as posted, wrong everywhere
    lambda: CheckInForm(units=Units()),
    lambda: CheckInForm(
        units=Units("mi", "f", "floz", "lb"), initial={"finished_at": dt.datetime(2026, 3, 3, 7, 5)}
    ),
    lambda: CheckInForm(
        checkin_post(notes="Hill <b>repeats</b>\n& a cramp", muscles=["calves"]), units=Units()
    ),
    lambda: CheckInForm(WRONG, units=Units()),
    lambda: ProfileForm(),
    lambda: ProfileForm({"time_zone": "Mars/Olympus", "body_weight": "heavy"}),
    lambda: HistoryFilter(
        {"twitching": "on", "muscle": "calves", "start": "2026-05-01", "end": "2026-01-01"}
    ),
    lambda: HydrationForm({"duration_min": "90", "temperature": "28", "humidity_pct": "abc"}, units=Units()),
    lambda: SignupForm({"email": "not an address", "password1": "a", "password2": "b"}),
    lambda: NoticeForm({}),
    lambda: DeleteAccountForm({"password": ""}, user=None),
]


@pytest.mark.django_db
@pytest.mark.parametrize("make", FORMS)
def test_the_field_template_writes_each_widget_exactly_as_django_draws_it(make):
    """forms/field.html writes inputs, text areas and selects itself (a few templates less
    per field): byte for byte what the widget's own templates give, values and errors included."""
    form = make()
    if form.is_bound:
        form.is_valid()
    written = 0
    for field in form:
        if field.field.widget.template_name in WRITTEN_WIDGETS:
            written += 1
            assert render_to_string("forms/field.html#widget", {"field": field}) == str(field), field.name
    assert written


# Frames below django.shortcuts.render (the hand-written check-in form drew at 60; with
# crispy's render_field and Django's widget templates the check-in drew at 78, settings 87).
RENDER_DEPTH = 60


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["checkin_create", "profile", "history"])
def test_a_form_page_draws_its_fields_a_few_frames_deep(runner_client, url):
    """Python 3.12 frees a chunk of its frame stack (16 KB) whenever the frame that opened
    it returns: a page drawn just past a chunk's end maps and unmaps memory on every call
    that crosses it, which cost the crispy check-in page a third of its time. The layout
    renders flat and the field template writes the widgets' markup (checkins.form_layout),
    which keeps a form page as shallow as the hand-written forms before crispy were."""
    import django.shortcuts

    state = {"depth": 0, "render": None, "deepest": 0}

    def follow(frame, event, arg):
        if event == "call":
            state["depth"] += 1
            if state["render"] is None and frame.f_code is django.shortcuts.render.__code__:
                state["render"] = state["depth"]
            state["deepest"] = max(state["deepest"], state["depth"])
        elif event == "return":
            state["depth"] -= 1

    sys.setprofile(follow)
    try:
        response = runner_client.get(reverse(url))
    finally:
        sys.setprofile(None)
    assert response.status_code == 200
    assert state["deepest"] - state["render"] <= RENDER_DEPTH
