"""What every app's views.py uses: bind a form, hand it to a service, render the result.
A view parses a form, calls one service or repository function and renders; domain errors land
on the form (submit()) or, for plain buttons, in a message (attempt()). NotFound and the other
domain errors a view lets rise are rendered by core.middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import render

from .exceptions import DomainError
from .forms import ServiceForm
from .http import next_page_url
from .pagination import Page


def bound(request, form_class, **kwargs):
    """The form bound to the POST data, or unbound (with `initial`) on any other method."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def submit(form: ServiceForm, service: Callable, **extra) -> bool:
    """If the form is valid, call `service(**cleaned_data, **extra)` and keep its result in
    `form.result`. A domain error lands on the form next to the field it names; False then."""
    if not form.is_valid():
        return False
    try:
        form.result = service(**form.cleaned_data, **extra)
    except DomainError as error:
        form.fail(error)
        return False
    return True


def attempt(request, action: Callable[[], object]) -> bool:
    """Run a button's action; a domain error becomes an error message. True if it worked."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    return True


def render_form(request, template: str, form: ServiceForm, **context):
    """Render a page around `form`, with the status its last domain error asked for (429...)."""
    return render(request, template, {"form": form, **context}, status=form.status)


def list_context(request, page: Page, **context) -> dict:
    """The context of a page that lists one cursor page and links to the next."""
    return {"page": page, "next_page_url": next_page_url(request, page), **context}
