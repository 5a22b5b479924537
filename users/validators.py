"""What a one-time code may look like, in one place for every way in: the forms and serializers
list `validate_code` / `validate_second_factor_code` among their field validators, and the
services call `clean_code` / `clean_second_factor_code` again, so no caller can skip it.

Codes are ASCII only. `str.isdigit()` would also take "１２３４５６" or "٣٣٣٣٣٣", and
`hmac.compare_digest` raises TypeError on non-ASCII text, so nothing else reaches a comparison."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from core.exceptions import ValidationFailed

# Character classes, not \d: [0-9] and [0-9a-f] are the ASCII characters only.
DIGIT_CODE_RE = re.compile(r"[0-9]{6}")
RECOVERY_CODE_RE = re.compile(r"[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}")

CODE_MESSAGE = "Enter the 6 digits (0–9) of the code."
SECOND_FACTOR_MESSAGE = "Enter the 6 digits (0–9) from your authenticator app, or a recovery code."


def is_digit_code(code: str) -> bool:
    """Six ASCII digits (an emailed code or an authenticator code), already normalised."""
    return bool(DIGIT_CODE_RE.fullmatch(code))


def _normalised(value: str) -> str:
    return value.strip().lower()


def clean_code(code: str, *, field: str = "code") -> str:
    """A 6-digit code as the services compare it, or ValidationFailed (400) on `field`."""
    code = _normalised(code)
    if not is_digit_code(code):
        raise ValidationFailed.on(field, CODE_MESSAGE, code="code_malformed")
    return code


def clean_second_factor_code(code: str, *, field: str = "code") -> str:
    """An authenticator code or a recovery code as the services compare it, or ValidationFailed."""
    code = _normalised(code)
    if not (is_digit_code(code) or RECOVERY_CODE_RE.fullmatch(code)):
        raise ValidationFailed.on(field, SECOND_FACTOR_MESSAGE, code="code_malformed")
    return code


def _field_validator(clean, message: str):
    def validate(value: str) -> None:
        try:
            clean(value)
        except ValidationFailed:
            raise ValidationError(message, code="code_malformed") from None

    return validate


# Django form fields and DRF serializer fields both run Django validators.
validate_code = _field_validator(clean_code, CODE_MESSAGE)
validate_second_factor_code = _field_validator(clean_second_factor_code, SECOND_FACTOR_MESSAGE)
