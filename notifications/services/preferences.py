"""Each person's say over their notifications: which kinds reach them on which channel, the
daily digest, the number text messages go to, and the emails an unsubscribe link stops."""

from __future__ import annotations

from django.db import transaction

from core.exceptions import ValidationFailed

from ..kinds import Kind, all_kinds
from ..models import CHANNELS, DeliverySettings, Preference


def set_preferences(
    *,
    user,
    choices: dict[str, dict[str, bool]] | None = None,
    email_digest: bool | None = None,
    phone: str | None = None,
) -> None:
    """Switch channels per kind ({"like": {"email": False}}), the daily digest, and the phone
    number for text messages. Unknown kinds or channels are refused before anything changes."""
    choices = choices or {}
    known = {kind.name for kind in all_kinds()}
    for kind, switches in choices.items():
        if kind not in known:
            raise ValidationFailed.on("preferences", f"There is no notification kind {kind[:40]!r}.", code="bad_kind")
        for channel in switches:
            if channel not in CHANNELS:
                raise ValidationFailed.on("preferences", f"There is no channel {channel[:40]!r}.", code="bad_channel")
    if phone is not None:
        phone = _clean_phone(phone)
    with transaction.atomic():
        for kind, switches in choices.items():
            for channel, enabled in switches.items():
                Preference.objects.update_or_create(
                    user=user, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
                )
        changes = {
            name: value for name, value in (("email_digest", email_digest), ("phone", phone)) if value is not None
        }
        if changes:
            DeliverySettings.objects.update_or_create(user=user, defaults=changes)


def _clean_phone(phone: str) -> str:
    phone = "".join(phone.split())
    # isascii() too: isdigit() also takes "٣" or "²", which no text-message provider dials.
    if phone and not (phone.startswith("+") and phone[1:].isascii() and phone[1:].isdigit() and 8 <= len(phone) <= 16):
        raise ValidationFailed.on(
            "phone", "Give the number in international form, e.g. +4915112345678.", code="bad_phone"
        )
    return phone


def stop_emails(*, user, kind: Kind | str) -> None:
    """Switch email off for one kind; from the digest (tokens.DIGEST), for every kind. Anyone
    holding the email's signed link may call it (tokens.read_token gives the user and kind). The
    digest setting itself stays as it is: turning it off would switch the person to one email
    per notification, the opposite of what they asked for."""
    kinds = [kind] if isinstance(kind, Kind) else all_kinds()
    set_preferences(user=user, choices={each.name: {"email": False} for each in kinds})
