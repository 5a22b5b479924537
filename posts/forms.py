"""Forms of the posts pages. They only parse input; lengths, kinds and visibility are checked
by the services, whose errors come back onto the form (core.forms.ServiceForm.fail)."""

from __future__ import annotations

from django import forms
from django.conf import settings

from core.forms import ServiceForm

from .models import Post


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, as a list (empty when none was chosen)."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        single = super().clean
        return [single(upload, initial) for upload in files]


def _text(label: str, max_length: int, **attrs) -> forms.CharField:
    # No max_length on the field: the service says how long is too long, the same everywhere.
    # The browser's maxlength and the character counter only help before sending.
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"maxlength": max_length, "data-char-counter": "", **attrs}),
    )


def _visibility() -> forms.CharField:
    # Any value reaches the service, which refuses unknown ones with its own message.
    return forms.CharField(
        label="Who can see it",
        required=False,
        initial=Post.Visibility.PUBLIC,
        widget=forms.Select(choices=Post.Visibility.choices, attrs={"class": "form-select"}),
    )


class ComposeForm(ServiceForm):
    kind = forms.CharField(
        label="Post type",
        initial=Post.Kind.TEXT,
        widget=forms.RadioSelect(
            choices=[(Post.Kind.TEXT, "Text"), (Post.Kind.IMAGE, "Pictures")], attrs={"class": "btn-check"}
        ),
    )
    body = _text("Your post", settings.POST_MAX_LENGTH, rows=3, placeholder="What's new?")
    visibility = _visibility()
    images = MultipleFileField(
        label="Pictures",
        required=False,
        help_text=f"Up to {settings.POST_MAX_IMAGES} pictures: JPEG, PNG, WebP or GIF.",
        widget=MultipleFileInput(attrs={"accept": "image/*", "data-max-pictures": settings.POST_MAX_IMAGES}),
    )
    alt_texts = forms.CharField(
        label="Describe the pictures",
        required=False,
        help_text="One line per picture, in order, for people who cannot see them.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_visibility(self) -> str:
        return self.cleaned_data["visibility"] or Post.Visibility.PUBLIC

    def clean_alt_texts(self) -> list[str]:
        return self.cleaned_data["alt_texts"].splitlines()

    def clean(self):
        data = super().clean()
        # Pictures chosen before switching back to the text tab are out of sight: not sent.
        if data.get("kind") == Post.Kind.TEXT:
            data["images"], data["alt_texts"] = [], []
        return data


class EditForm(ServiceForm):
    body = _text("Text", settings.POST_MAX_LENGTH, rows=5)
    visibility = _visibility()

    def clean_visibility(self) -> str | None:
        return self.cleaned_data["visibility"] or None  # left out: unchanged


class CommentForm(ServiceForm):
    body = _text("Your comment", settings.COMMENT_MAX_LENGTH, rows=2, placeholder="Add a comment…")
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
