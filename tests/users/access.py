"""Who may do what to a person, for tests/security/test_access.py (the format: tests/security/matrix.py).
The person is the owner; someone they blocked does not see them; a deactivated account (by a
moderator, or waiting to be erased) is seen by nobody, itself included (it cannot sign in)."""

from tests.security.matrix import ACT, EVERYONE, NOBODY, OWN, OWNER, READ, Kind, Route
from users.models import DataExport, User
from users.services.your_data import build_data_export


def _person(owner: User, visibility: str) -> dict[str, object]:
    if visibility == "deactivated":
        User.objects.filter(pk=owner.pk).update(is_active=False)
    return {"username": owner.username}


def _data_export(owner: User, visibility: str) -> dict[str, object]:
    export = DataExport.objects.create(user=owner)
    build_data_export(export_id=export.pk)  # a real zip, ready to download
    return {"export_id": export.pk}


KINDS = [
    Kind("person", _person, {"active": EVERYONE, "deactivated": NOBODY}),
    Kind("data export", _data_export, {"own": OWNER}),
]
ROUTES = {
    "api-user": Route("person", GET=READ),
    "api-user-followers": Route("person", GET=READ),
    "api-user-following": Route("person", GET=READ),
    "api-user-follow": Route("person", POST=ACT, DELETE=ACT),
    "api-user-block": Route("person", POST=ACT, DELETE=ACT),
    "users:profile": Route("person", GET=READ),
    "users:followers": Route("person", GET=READ),
    "users:following": Route("person", GET=READ),
    "users:follow": Route("person", POST=ACT),
    "users:unfollow": Route("person", POST=ACT),
    "users:block": Route("person", GET=ACT, POST=ACT),
    "users:unblock": Route("person", POST=ACT),
    "api-me-data-export": Route("data export", GET=OWN),
    "users:download_export": Route("data export", GET=OWN),
    "api-me-data-export-download": Route("data export", GET=OWN),
}
