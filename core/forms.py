"""The base of every web form: it only parses input; the rules live in the services, whose
domain errors come back onto the form through ServiceForm.fail()."""

from __future__ import annotations

from typing import Any

from django import forms

from .exceptions import DomainError, RateLimited


class ServiceForm(forms.Form):
    """Bootstrap-styled form that can show a service's domain error next to the right field."""

    status = 200  # the HTTP status a page re-rendering this form answers with
    error_code = ""  # the machine code of the last domain error
    result: Any = None  # what the service returned, once core.views.submit() succeeded

    def way_out(self) -> tuple[str, str] | None:
        """A link (address, text) that gets the person past the last domain error, shown under
        the form's errors; forms whose errors have one override this."""
        return None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def add_error(self, field, error):
        super().add_error(field, error)
        # Django sets aria-invalid and aria-describedby itself; Bootstrap needs the class.
        for name in self.errors:
            attrs = self.fields[name].widget.attrs if name in self.fields else {}
            if attrs and "is-invalid" not in attrs["class"].split():
                attrs["class"] += " is-invalid"

    def fail(self, error: DomainError) -> None:
        """Put a domain error on the form: each named field that the form has, the rest on top."""
        self.error_code = error.code
        if isinstance(error, RateLimited):
            self.status = 429
        placed = False
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)
