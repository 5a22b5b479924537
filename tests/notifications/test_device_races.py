"""Push devices subscribed at the same instant on a real server database: one owner per endpoint."""

import pytest
from django.db import connection

from core.exceptions import ValidationFailed
from notifications.models import PushSubscription
from notifications.services.devices import add_push_subscription
from tests.notifications.pushservice import PushService
from tests.services.test_races import run_together
from tests.users.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; needs MariaDB/MySQL"),
]

ENDPOINT = "https://fcm.googleapis.com/fcm/send/raced"


@pytest.mark.django_db(transaction=True)
def test_two_people_claiming_one_new_endpoint_at_once_leave_it_to_one_with_their_keys():
    # given two people, each with keys of their own
    people = UserFactory.create_batch(2)
    with PushService() as service:
        keys = [service.new_device().subscription()["keys"] for _ in people]

    # when both post the same endpoint at the same instant
    outcomes = run_together(
        *(
            lambda person=person, own=own: add_push_subscription(user=person, endpoint=ENDPOINT, **own)
            for person, own in zip(people, keys, strict=True)
        )
    )

    # then one of them has it, with their keys; the other was refused
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["PushSubscription", "ValidationFailed"]
    winner = next(index for index, outcome in enumerate(outcomes) if not isinstance(outcome, ValidationFailed))
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.p256dh, stored.auth) == (people[winner], keys[winner]["p256dh"], keys[winner]["auth"])


@pytest.mark.django_db(transaction=True)
def test_one_browser_subscribing_many_times_at_once_is_one_device():
    # given
    person = UserFactory()
    with PushService() as service:
        keys = service.new_device().subscription()["keys"]

    # when its subscription arrives six times at once
    outcomes = run_together(*(lambda: add_push_subscription(user=person, endpoint=ENDPOINT, **keys) for _ in range(6)))

    # then one device, and no call failed
    assert [type(outcome).__name__ for outcome in outcomes] == ["PushSubscription"] * 6
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [person.pk]
