"""Forms of the web pages. They only parse input; the rules live in the services, whose
domain errors come back onto the form through core.forms.ServiceForm.fail()."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.urls import reverse

from core.forms import ServiceForm

from .validators import validate_code, validate_second_factor_code


def _password(label: str = "Password", autocomplete: str = "current-password") -> forms.CharField:
    return forms.CharField(
        label=label, max_length=128, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": autocomplete})
    )


def _email(**kwargs) -> forms.CharField:
    # A CharField, not an EmailField: the service validates, so the message is the same everywhere.
    return forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        **kwargs,
    )


def _six_digit_code(label: str = "6-digit code", **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=12,
        validators=[validate_code],
        widget=forms.TextInput(
            attrs={
                "class": "form-control code-input",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"\s*[0-9]{6}\s*",
            }
        ),
        **kwargs,
    )


class SignUpForm(ServiceForm):
    username = forms.CharField(
        max_length=30,
        help_text="3–30 letters, digits or underscores. People find you by it.",
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    email = _email()
    password = _password(autocomplete="new-password")
    display_name = forms.CharField(
        label="Display name", max_length=60, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = "At least 10 characters; not a common password."


class ConfirmSignUpForm(ServiceForm):
    email = _email()
    code = _six_digit_code()


class ResendCodeForm(ConfirmSignUpForm):
    """The confirm page's "Send a new code" button: only the email address counts."""

    code = _six_digit_code(required=False)


class LoginForm(ServiceForm):
    identifier = forms.CharField(
        label="Email or username",
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    password = _password()

    def way_out(self) -> tuple[str, str] | None:
        if self.error_code != "email_not_confirmed":
            return None
        identifier = self.data.get("identifier", "")
        query = f"?{urlencode({'email': identifier})}" if "@" in identifier else ""
        return f"{reverse('users:signup_confirm')}{query}", "Enter your confirmation code"


class SecondFactorForm(ServiceForm):
    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        validators=[validate_second_factor_code],
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


class PasswordResetRequestForm(ServiceForm):
    email = _email()


class PasswordResetForm(ServiceForm):
    email = _email()
    code = _six_digit_code()
    new_password = _password("New password", autocomplete="new-password")


class PasswordChangeForm(ServiceForm):
    old_password = _password("Current password")
    new_password = _password("New password", autocomplete="new-password")


class TwoFactorConfirmForm(ServiceForm):
    code = _six_digit_code("Code from your app")


class TwoFactorDisableForm(ServiceForm):
    password = _password("Your password")


class ProfileForm(ServiceForm):
    display_name = forms.CharField(
        label="Display name", max_length=60, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    bio = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "data-char-counter": ""}),
    )
    location = forms.CharField(max_length=80, required=False)
    birth_date = forms.DateField(
        label="Birth date", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    interests = forms.CharField(
        max_length=500,
        required=False,
        help_text="Separate them with commas, e.g. hiking, jazz, street food.",
    )

    @classmethod
    def initial_for(cls, profile) -> dict:
        if profile is None:
            return {}
        return {
            "display_name": profile.display_name,
            "bio": profile.bio,
            "location": profile.location,
            "birth_date": profile.birth_date,
            "interests": ", ".join(interest.name for interest in profile.interests.all()),
        }

    def clean_interests(self) -> list[str]:
        return [name for name in self.cleaned_data["interests"].split(",") if name.strip()]


class AvatarForm(ServiceForm):
    avatar = forms.FileField(
        label="New picture",
        help_text="JPEG, PNG, WebP or GIF; it is cropped to a square.",
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )


class _SecondFactorIfOn(ServiceForm):
    """A form that asks for the 2FA code too when the account has two-factor authentication."""

    code = forms.CharField(
        label="Authentication code",
        max_length=20,
        help_text="The 6 digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, two_factor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not two_factor:
            del self.fields["code"]


class DeleteAccountForm(_SecondFactorIfOn):
    password = _password("Your password")
    field_order = ["password", "code"]


class RestoreAccountForm(_SecondFactorIfOn):
    pass
