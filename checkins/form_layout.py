"""How every form is rendered: through django-crispy-forms, one way.

A page writes its own <form> element (action, method, htmx attributes, the CSRF token,
the buttons) and renders the fields inside it with `{% crispy form %}`. Each form class
mixes in `CrispyForm`, whose helper renders every field with one template,
templates/forms/field.html: the label, the input (with Bootstrap's classes), its help
(id help-<name>), a slot for its errors (id err-<name>) that the input points at, and
chips for choices. `layout()` places the fields where a form needs more than a column:
the pieces below lay out the check-in.
"""

from __future__ import annotations

from functools import cached_property

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.forms import BoundField
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString

FIELD_TEMPLATE = "forms/field.html"

# Django's widget templates whose markup forms/field.html writes itself from the widget's
# context, as it writes each chip's input: an <input> (these templates include input.html,
# which includes attrs.html), a <textarea> and a <select> of plain options (one template per
# option, each including attrs.html). Three or four templates deep per field otherwise.
WRITTEN_WIDGETS = {
    **{
        f"django/forms/widgets/{name}.html": "input"
        for name in (
            *("checkbox", "date", "datetime", "email", "hidden", "number", "password"),
            *("search", "tel", "text", "time", "url"),
        )
    },
    "django/forms/widgets/textarea.html": "textarea",
    "django/forms/widgets/select.html": "select",
}
SELECT_OPTION = "django/forms/widgets/select_option.html"


def drawn_attrs(attrs: dict) -> list[tuple]:
    """The attributes a widget draws, as Django's attrs.html draws them: a False one left out
    (a True one is drawn as its bare name)."""
    return [(name, value) for name, value in attrs.items() if value is not False]


class SlottedField(BoundField):
    """A field with the ids of its help and of its error slot, as the field template and the
    check-in's live preview write them (static/js/checkin.js and the error links use err-<name>).

    It also answers, worked out once in Python, what forms/field.html would otherwise ask with
    a filter or a lookup per choice: which way the field is drawn (`kind`), its choices as
    plain mappings (`chip_options`), and its input's Bootstrap classes and the ids it points
    at, which the widget renders with its other attributes (`build_widget_attrs`).
    """

    @property
    def help_id(self) -> str:
        return f"help-{self.html_name}"

    @property
    def error_id(self) -> str:
        return f"err-{self.html_name}"

    @property
    def chips(self) -> str:
        """The style of a choice's chips ("numbers", "swatches"; "" for plain ones)."""
        return getattr(self.field, "chips", "")

    @property
    def picture(self) -> str:
        """A template drawn before a choice's chips (the body map), or ""."""
        return getattr(self.field, "picture", "")

    @property
    def described_by(self) -> str:
        """What the input (or the fieldset of a choice) points at: its help, then its errors
        (another field's, where the form tells this field's error there: `errors_at`)."""
        errors_at = getattr(self.field, "errors_at", None)
        error_id = f"err-{errors_at}" if errors_at else self.error_id
        return f"{self.help_id} {error_id}" if self.help_text else error_id

    @cached_property
    def kind(self) -> str:
        """How forms/field.html draws the field: "hidden", "choices" (radio buttons or check
        boxes, as chips), "checkbox" (a lone one) or "input" (any other input or select)."""
        widget = self.field.widget
        if widget.is_hidden:
            return "hidden"
        if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return "choices"
        if isinstance(widget, forms.CheckboxInput):
            return "checkbox"
        return "input"

    @property
    def chip_options(self) -> list[dict]:
        """Each choice's input as a mapping (type, name, value, id, checked, label, swatch), from the
        widget's own options (as iterating the field gives them, less a wrapper per choice):
        the template reads a key of a dict at the first try, where a choice's attributes cost
        a failed lookup each."""
        widget = self.field.widget
        id_ = widget.attrs.get("id") or self.auto_id
        attrs = self.build_widget_attrs({"id": id_} if id_ else {})
        swatches = self.chips == "swatches"  # each chip a colour swatch
        return [
            {
                "type": option["type"],
                "name": option["name"],
                "value": str(option["value"]),
                "id": option["attrs"].get("id"),
                "checked": option["selected"],
                "label": option["label"],
                "swatch": swatches,
            }
            for option in widget.options(self.html_name, widget.format_value(self.value()), attrs)
        ]

    @property
    def widget_data(self) -> dict | None:
        """The widget's context (name, type, value, attrs, a select's optgroups) as Django's
        templates draw it, with the `tag` forms/field.html writes; None for another widget (a
        file input, a select of its own options), which draws itself. The attributes are the
        ones as_widget() gives: Bootstrap's classes, aria-describedby, required, the id."""
        widget = self.field.widget
        tag = WRITTEN_WIDGETS.get(widget.template_name)
        if tag is None or self.field.show_hidden_initial:
            return None
        if tag == "select" and widget.option_template_name != SELECT_OPTION:
            return None
        if self.field.localize:
            widget.is_localized = True
        attrs = self.build_widget_attrs({}, widget)
        if self.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", self.auto_id)
        data = widget.get_context(self.html_name, self.value(), attrs)["widget"]
        data["attr_items"] = drawn_attrs(data["attrs"])
        if tag == "select":
            data["optgroups"] = [
                (group, [{**option, "attr_items": drawn_attrs(option["attrs"])} for option in options], index)
                for group, options, index in data["optgroups"]
            ]
        return {**data, "tag": tag}

    def input_class(self, widget) -> str:
        """The input's classes: its own (or its widget's name, as crispy's fields have), then
        Bootstrap's form-check-input, form-select or form-control, and is-invalid with an error."""
        name = type(widget).__name__.lower()
        classes = widget.attrs.get("class", "")
        if not classes:
            classes = name
        elif name not in classes:
            classes += f" {name}"
        if self.kind == "checkbox":
            bootstrap = ["form-check-input"]
        else:
            bootstrap = ["form-select" if isinstance(widget, forms.Select) else "form-control"]
        if self.errors:
            bootstrap.append("is-invalid")
        present = classes.split()
        return " ".join([classes, *(name for name in bootstrap if name not in present)])

    def build_widget_attrs(self, attrs, widget=None):
        """An input or a lone check box renders with its classes and the ids it points at."""
        widget = widget or self.field.widget
        if self.kind in ("input", "checkbox"):
            attrs = {"class": self.input_class(widget), "aria-describedby": self.described_by, **attrs}
        return super().build_widget_attrs(attrs, widget)


class CrispyForm:
    """A form rendered by `{% crispy form %}` inside the page's own <form> element."""

    form_method = "post"  # or "get" (filters); crispy adds no CSRF token either way
    bound_field_class = SlottedField

    def layout(self) -> Layout | None:
        """Where the fields go; None: one after the other, in the form's order."""
        return None

    @cached_property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False  # the page's <form> holds the action, htmx attributes, buttons
        helper.disable_csrf = True  # ... and the CSRF token
        helper.form_method = self.form_method
        helper.field_template = FIELD_TEMPLATE
        helper.include_media = False  # no widget of ours has media: no form.media per field
        helper.layout = FlatLayout(*(self.layout() or Layout(*self.fields)).fields)
        return helper


def rendered(fields, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
    """Fields (names) and layout objects drawn one after the other, as crispy's
    get_rendered_fields does, a few frames shallower (see FlatLayout). A field is drawn
    with the form's field template and itself as the context: crispy's render_field
    would push each field onto the page's context for good and copy that whole context
    for the next, a copy one layer longer with every field of the form."""
    template = get_template(form.crispy_field_template or FIELD_TEMPLATE)  # the backend's wrapper
    parts = []
    for field in fields:
        if isinstance(field, LayoutObject):
            parts.append(field.render(form, context, template_pack=template_pack, **kwargs))
        else:
            form.rendered_fields.add(field)
            parts.append(template.template.render(Context({"field": form[field]})))
    return SafeString("".join(parts))


class FlatLayout(Layout):
    """crispy's Layout, rendering its fields and layout objects a few frames shallower.

    A field's input is drawn a hundred frames deep or more: the middleware, the page's
    blocks, crispy and each layout object, the field template. Python 3.12 keeps frames in
    16 KB chunks and frees a chunk as soon as the frame that opened it returns, so a page
    drawn just past a chunk's end maps and unmaps memory for every call that crosses it
    (CPython gh-142183, fixed in later releases). Each frame less keeps more of a page
    inside one chunk; forms/field.html writes the widgets' markup itself for that reason too.
    """

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        return rendered(self.fields, form, context, template_pack, **kwargs)


class Pair(LayoutObject):
    """Two fields side by side, half the width each."""

    template = "forms/pair.html"

    def __init__(self, first: str, second: str):
        self.fields = [first, second]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        first, second = [rendered([name], form, context, template_pack) for name in self.fields]
        return render_to_string(self.template, {"first": first, "second": second})


class Section(LayoutObject):
    """A section of the check-in: a heading, the previous run's answers to offer ("Same as
    last run", when the form has an offer for it), then its fields."""

    template = "checkins/layout/section.html"

    def __init__(self, title: str, *fields, css_id: str, offer: str | None = None):
        self.title, self.fields, self.css_id, self.offer = title, list(fields), css_id, offer

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        fields = rendered(self.fields, form, context, template_pack, **kwargs)
        offer = getattr(form, "offers", {}).get(self.offer) if self.offer else None
        return render_to_string(self.template, {"section": self, "fields": fields, "offer": offer})


class Details(LayoutObject):
    """Fields behind a summary, open when one of them has a value."""

    template = "checkins/layout/details.html"

    def __init__(self, summary: str, *fields):
        self.summary, self.fields = summary, list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        names = [pointer.name for pointer in self.get_field_names()]
        is_open = any(form[name].value() not in (None, "") for name in names if name in form.fields)
        fields = rendered(self.fields, form, context, template_pack, **kwargs)
        return render_to_string(self.template, {"details": self, "fields": fields, "open": is_open})
