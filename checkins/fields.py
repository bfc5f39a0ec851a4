"""A list of codes stored portably as text.

Muscles, symptoms and medicines are short lists of known codes. Stored as
",calves,quads," they behave the same on SQLite and PostgreSQL, and a runner's
history can be filtered by one code with a plain `contains` lookup
(`muscles__contains=",calves,"`), which both databases index-free handle fast
at this size. JSONField containment lookups differ between the two backends.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core import checks, exceptions
from django.db import models


def encode_codes(codes: Iterable[str]) -> str:
    seen: list[str] = []
    for code in codes:
        if code not in seen:
            seen.append(code)
    return f",{','.join(seen)}," if seen else ""


def decode_codes(value: str | None) -> list[str]:
    if not value:
        return []
    return [code for code in value.split(",") if code]


class CodeListField(models.CharField):
    """A list of codes, each one of `choices`; stored as comma-wrapped text."""

    description = "List of codes"

    def __init__(self, *args, codes: Iterable[tuple[str, str]] = (), **kwargs):
        self.codes = tuple(codes)
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        longest = len(encode_codes(code for code, _ in self.codes))
        if longest > self.max_length:
            errors.append(
                checks.Error(f"max_length {self.max_length} < {longest}", obj=self, id="aftermath.E001")
            )
        return errors

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["codes"] = self.codes
        return name, path, args, kwargs

    @property
    def allowed(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.codes)

    def from_db_value(self, value, expression, connection):
        return decode_codes(value)

    def to_python(self, value):
        if isinstance(value, list | tuple | set | frozenset):
            return list(value)
        return decode_codes(value)

    def get_prep_value(self, value):
        # A plain string is a lookup argument (",calves,"), passed through as is.
        if isinstance(value, str) or value is None:
            return value
        return encode_codes(value)

    def validate(self, value, model_instance):
        unknown = [code for code in value or () if code not in self.allowed]
        if unknown:
            raise exceptions.ValidationError(
                "Unknown choice: %(codes)s", code="invalid_choice", params={"codes": ", ".join(unknown)}
            )
        if not value and not self.blank:
            raise exceptions.ValidationError(self.error_messages["blank"], code="blank")

    def value_to_string(self, obj):
        return encode_codes(self.value_from_object(obj) or ())

    def formfield(self, **kwargs):
        from django import forms

        defaults = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.codes,
            "required": not self.blank,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        # CharField.formfield would add max_length, which a multiple choice field refuses.
        return models.Field.formfield(self, **defaults)
