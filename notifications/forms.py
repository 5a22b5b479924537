"""The settings page's form. It only parses: the rules (known kinds, the phone's form) live in
services.preferences.set_preferences, whose domain errors come back onto the form through
ServiceForm.fail()."""

from __future__ import annotations

from django import forms

from core.forms import ServiceForm

from .kinds import Kind
from .models import CHANNELS


def switch_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class PreferencesForm(ServiceForm):
    """One checkbox per kind and channel, the daily digest switch, and the phone number."""

    email_digest = forms.BooleanField(
        required=False,
        label="Send my emails as one daily digest",
        help_text="One email a day with everything new, instead of one email per notification.",
    )
    phone = forms.CharField(
        required=False,
        max_length=30,
        label="Phone number for text messages",
        help_text="International form, e.g. +4915112345678. Leave it empty to get no text messages.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )

    def __init__(self, *args, preferences: list[tuple[Kind, dict[str, bool]]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = [kind for kind, _ in preferences]
        for kind, switches in preferences:
            for channel, channel_label in CHANNELS.items():
                self.fields[switch_name(kind.name, channel)] = forms.BooleanField(
                    required=False,
                    initial=switches[channel],
                    label=f"{channel_label} for {kind.label}",
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                )
        self.fields["email_digest"].widget.attrs["class"] = "form-check-input"

    @property
    def channels(self) -> dict[str, str]:
        return CHANNELS

    def rows(self):
        """(kind, [bound checkbox per channel]) in settings-page order, for the table."""
        for kind in self.kinds:
            yield kind, [self[switch_name(kind.name, channel)] for channel in CHANNELS]

    def changes(self) -> dict:
        """The arguments of services.preferences.set_preferences for what the person changed (a switch
        left alone keeps following its kind's default)."""
        changed = set(self.changed_data)
        choices: dict[str, dict[str, bool]] = {}
        for kind in self.kinds:
            for channel in CHANNELS:
                name = switch_name(kind.name, channel)
                if name in changed:
                    choices.setdefault(kind.name, {})[channel] = self.cleaned_data[name]
        return {
            "choices": choices,
            "email_digest": self.cleaned_data["email_digest"] if "email_digest" in changed else None,
            "phone": self.cleaned_data["phone"] if "phone" in changed else None,
        }
