"""Rows of the notifications app as they are stored, for tests that need one without the
deliveries notify() would set off (a notification to push by hand, a device, a saved choice)."""

import hashlib

import factory

from notifications.models import DeliverySettings, Notification, NotificationActor, Preference, PushSubscription
from tests.users.factories import UserFactory


class NotificationFactory(factory.django.DjangoModelFactory):
    """A mention from the site (no actor, no target, no link): not grouped, linking to the inbox."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "mention"
    data = factory.LazyFunction(dict)


class NotificationActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationActor

    notification = factory.SubFactory(NotificationFactory)
    actor = factory.SubFactory(UserFactory)


class PreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preference

    user = factory.SubFactory(UserFactory)
    kind = "like"
    channel = "email"
    enabled = True


class DeliverySettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverySettings

    user = factory.SubFactory(UserFactory)


class PushSubscriptionFactory(factory.django.DjangoModelFactory):
    """A device on a public push service, with keys of the sizes browsers send (they encrypt
    nothing a test reads: devices that take pushes come from tests/notifications/pushservice.py)."""

    class Meta:
        model = PushSubscription

    user = factory.SubFactory(UserFactory)
    endpoint = factory.Sequence(lambda n: f"https://push.example.com/send/{n}")
    endpoint_hash = factory.LazyAttribute(lambda device: hashlib.sha256(device.endpoint.encode()).hexdigest())
    p256dh = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
    auth = "BTBZMqHH6r4Tts7J_aSIgg"
