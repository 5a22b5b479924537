"""Who may do what to notifications and push devices, for tests/security/test_access.py (the
format: tests/security/matrix.py): both are their owner's alone."""

from tests.notifications.factories import NotificationFactory, PushSubscriptionFactory
from tests.security.matrix import OWN, OWNER, Kind, Route


def _made_notification(owner, visibility: str) -> dict[str, object]:
    return {"notification_id": NotificationFactory(recipient=owner).pk}


def _made_device(owner, visibility: str) -> dict[str, object]:
    return {"subscription_id": PushSubscriptionFactory(user=owner).pk}


KINDS = [
    Kind("notification", _made_notification, {"own": OWNER}),
    Kind("device", _made_device, {"own": OWNER}),
]
ROUTES = {
    "api-notification-read": Route("notification", POST=OWN),
    "notifications:read": Route("notification", POST=OWN),
    "notifications:remove_device": Route("device", POST=OWN),
}
OPEN = {"token": "a signed unsubscribe token from an email: it is the authorisation (tests/notifications)"}
