"""Web Push: talking to browsers' push services. Each push is end-to-end encrypted (aes128gcm,
RFC 8291) and signed by this server (VAPID, RFC 8292); this module sends it and says what became
of it, an Outcome per device. What to do about that is services.delivery's decision:
- SENT (201): delivered; the device is marked used.
- GONE (404/410): the subscription is gone (the person revoked it, the browser dropped it): it
  is forgotten at once.
- UNAVAILABLE (429, 5xx, no answer): the service is busy or down: PushServiceUnavailable (an
  OSError) makes tasks.send_push retry with backoff; each device that took the push is marked
  in the cache, so a retry pushes only to the devices still waiting.
- REFUSED (any other 4xx: 400, 401, 403, 413): the request was wrong, most likely this server's
  VAPID keys (a subscription made under another key pair answers 403). Logged, not retried, and
  the device is kept: dropping every device over a configuration mistake would lose them all,
  and a browser re-subscribes under the current key when its settings page next loads.
A stored key that cannot encrypt anything (it never passes add_push_subscription; only a
damaged row has one) is GONE: it could never receive a push.

Where a push goes: the endpoint's name (services.devices took only names of known push
services) is resolved once per push, and every address it resolves to must be globally
routable, else the device is GONE and nothing is sent: a name may lead anywhere, and this
server must not be steered into its own network. The connection then goes to the checked
address, with the name as TLS server name, as the name the certificate must carry and as the
Host header; there is no second lookup that could answer differently. Redirects are not
followed (a push service answers; a 3xx is REFUSED)."""

from __future__ import annotations

import enum
import functools
import ipaddress
import logging
import socket
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from http_ece import ECEException
from py_vapid import Vapid, VapidException
from py_vapid.utils import b64urlencode
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

from ..models import PushSubscription

logger = logging.getLogger(__name__)

# Undelivered pushes expire after a day: later they are stale news, and the inbox keeps them.
TTL_SECONDS = 24 * 3600
# RFC 8292 lets a VAPID token live at most 24 hours; push services reject longer ones.
VAPID_LIFETIME_SECONDS = 12 * 3600
# (connect, read) seconds: a stuck push service must not hold a worker for long.
TIMEOUT = (5, 10)


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the device will never take a push again
    REFUSED = "refused"  # this request was wrong; the device stays
    UNAVAILABLE = "unavailable"  # try again later


class PushServiceUnavailable(OSError):
    """Some devices' push services were busy or unreachable (raised by services.delivery after
    trying every device); tasks.send_push retries OSError."""


class NotPublicAddress(requests.exceptions.ConnectionError):
    """A push service's name resolved to an address outside the public Internet."""


# IPv6 prefixes that carry an IPv4 address a gateway connects to (NAT64, RFC 6052 and 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def routable(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a push may go to this address: a globally routable unicast one, so no loopback,
    private, link-local, shared (100.64/10), reserved, unspecified or multicast address. An
    IPv6 address that wraps an IPv4 one (mapped, 6to4, Teredo, NAT64) is refused whatever it
    wraps: such addresses are how a local IPv4 address is spelt in IPv6."""
    if isinstance(address, ipaddress.IPv6Address) and (
        address.ipv4_mapped or address.sixtofour or address.teredo or any(address in net for net in _NAT64)
    ):
        return False
    return address.is_global and not address.is_multicast


def _checked_address(host: str, port: int) -> str:
    """The address to connect to for `host`: the first it resolves to, once every one of them
    is routable (a test host's need not be)."""
    try:
        # Only the address families this machine has, or an IPv6 answer first would never connect.
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG)
    except OSError as error:  # no answer now: the push is retried
        raise requests.exceptions.ConnectionError(f"Cannot resolve {host}: {error}") from error
    addresses = [str(info[4][0]) for info in found]
    if host not in settings.WEB_PUSH_TEST_HOSTS:
        refused = [address for address in addresses if not routable(ipaddress.ip_address(address))]
        if refused:
            raise NotPublicAddress(f"{host} resolves to {', '.join(refused)}")
    return addresses[0]


class _PinnedAdapter(HTTPAdapter):
    """Connects to the address _checked_address approved, under the endpoint's name."""

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name, scheme = host_params["host"], host_params["scheme"]
        host_params["host"] = _checked_address(name, host_params["port"] or (443 if scheme == "https" else 80))
        if scheme == "https":
            pool_kwargs["server_hostname"] = pool_kwargs["assert_hostname"] = name
        return host_params, pool_kwargs

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Host"] = urlsplit(request.url).netloc


class _Session(requests.Session):
    """Straight to the push service: no redirects, no proxies or CA bundles from the
    environment; a self-hosted push service's private CA comes from settings."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False
        self.verify = settings.WEB_PUSH_CA_BUNDLE or True
        self.mount("https://", _PinnedAdapter())
        self.mount("http://", _PinnedAdapter())  # test hosts only: services.devices takes HTTPS

    def get_redirect_target(self, resp: requests.Response) -> None:
        return None


def signing_key() -> Vapid | None:
    """This server's VAPID key from the settings, or None (logged) when push is off or the
    settings are unusable."""
    return _vapid(settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY, settings.VAPID_SUBJECT)


def push(
    vapid: Vapid, subscriptions: Iterable[PushSubscription], data: str
) -> Iterator[tuple[PushSubscription, Outcome]]:
    """Push `data` to each device in turn, yielding each with what became of its push as soon
    as its push service answered, so the caller records one before the next is tried."""
    authorization = functools.cache(functools.partial(_authorization, vapid))  # one token per push service
    with _Session() as session:  # devices on the same push service share a connection
        for subscription in subscriptions:
            yield subscription, _send(subscription, data, authorization, session)


@functools.lru_cache(maxsize=4)
def _vapid(public_key: str, private_key: str, subject: str) -> Vapid | None:
    """The signing key, or None (logged) when push is off or the settings are unusable."""
    if not (public_key and private_key):
        return None
    try:
        vapid = Vapid.from_string(private_key)
        vapid.sign({"sub": subject, "aud": "https://push.example", "exp": int(time.time()) + 60})
    except VapidException:
        logger.error("VAPID_SUBJECT must be a mailto: address or an https: URL; Web Push is off.")
        return None
    except (ValueError, TypeError):
        logger.error("VAPID_PRIVATE_KEY is not a P-256 private key; Web Push is off.")
        return None
    own_public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    if b64urlencode(own_public) != public_key.rstrip("="):
        # Browsers subscribe with the public key; pushes signed by another would all be refused.
        logger.error("VAPID_PUBLIC_KEY does not belong to VAPID_PRIVATE_KEY; Web Push is off.")
        return None
    return vapid


def _authorization(vapid: Vapid, origin: str) -> dict[str, str]:
    claims = {"sub": settings.VAPID_SUBJECT, "aud": origin, "exp": int(time.time()) + VAPID_LIFETIME_SECONDS}
    return vapid.sign(claims)


def _send(subscription: PushSubscription, data: str, authorization, session: requests.Session) -> Outcome:
    """One push to one device, and what became of it."""
    endpoint = urlsplit(subscription.endpoint)
    origin = f"{endpoint.scheme}://{endpoint.netloc}"
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        webpush(
            info,
            data=data,
            headers=authorization(origin),
            ttl=TTL_SECONDS,
            timeout=TIMEOUT,
            requests_session=session,
        )
    except NotPublicAddress as error:
        logger.warning("Push device %s is not on the public Internet (%s); dropping it.", subscription.pk, error)
        return Outcome.GONE
    except requests.RequestException as error:  # no answer: refused, reset, timed out
        logger.warning("Push service %s unreachable for device %s: %s", origin, subscription.pk, error)
        return Outcome.UNAVAILABLE
    except WebPushException as error:
        return _outcome(subscription, origin, error.status_code)
    except (ValueError, TypeError, ECEException) as error:
        logger.warning("Push device %s has unusable keys (%s); dropping it.", subscription.pk, error)
        return Outcome.GONE
    except VapidException as error:  # an endpoint address VAPID cannot name as its audience
        logger.error("Cannot sign a push for device %s at %s: %s", subscription.pk, origin, error)
        return Outcome.REFUSED
    return Outcome.SENT


def _outcome(subscription: PushSubscription, origin: str, status: int | None) -> Outcome:
    if status is None or status in (404, 410):  # None: pywebpush refused the stored keys
        logger.info("Push device %s is gone (%s from %s); dropping it.", subscription.pk, status, origin)
        return Outcome.GONE
    if status == 429 or status >= 500:
        logger.warning("Push service %s answered %s for device %s; will retry.", origin, status, subscription.pk)
        return Outcome.UNAVAILABLE
    logger.error("Push service %s refused the push to device %s with %s.", origin, subscription.pk, status)
    return Outcome.REFUSED
