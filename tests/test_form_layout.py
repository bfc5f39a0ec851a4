"""The one field template (templates/forms/field.html) as {% crispy form %} draws it: each
kind of field with Bootstrap's classes and the ids it points at, the same however often a
form is drawn."""

from __future__ import annotations

import pytest
from django.template import Context, Template

from advice.units import Units
from checkins.forms import CheckInForm, DeleteAccountForm, NoticeForm, ProfileForm
from tests.helpers import Tree

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
