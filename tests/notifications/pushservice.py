"""A Web Push service on loopback, for tests: a real HTTP server in a thread that checks what a
push service checks and plays the browser's side too.

A device (new_device) is what a browser makes when it subscribes: a P-256 key pair, a 16-byte
auth secret and an endpoint http://127.0.0.1:<port>/push/<token> on this service. A push to
it must carry a valid VAPID token (RFC 8292: ES256 signature by the key `k`, `aud` this
service's origin, `exp` in the next 24 hours, `sub` a contact; a device subscribed with an
applicationServerKey takes only pushes signed by that key), a TTL header, and a body in
aes128gcm (RFC 8188/8291) that the device's private key and auth secret decrypt. Accepted
pushes are kept decrypted for the test to read; refused ones are answered as a push service
would (401, 403, 400) and their reason kept. answer() makes the service fail on purpose
(410, 404, 429, 500) for one device."""

from __future__ import annotations

import base64
import datetime
import json
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from cryptography.x509.oid import NameOID


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tls_for(name: str, certificate_path) -> ssl.SSLContext:
    """A server context with a new self-signed certificate for `name`, which is written (PEM)
    to `certificate_path` for the client to trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path = certificate_path.with_suffix(".key")
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate_path, key_path)
    return context


@dataclass
class Device:
    """One browser's push subscription: what it gives the site, and the secrets it keeps."""

    token: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    application_server_key: str | None

    def subscription(self) -> dict:
        """PushSubscription.toJSON(), as the browser posts it to the site."""
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth_secret)}}


@dataclass(frozen=True)
class Push:
    """A push the service accepted, decrypted as the device reads it."""

    token: str
    payload: dict
    ttl: int
    urgency: str | None
    vapid_key: str
    claims: dict


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


@dataclass
class PushService:
    """Listens on 127.0.0.1; endpoints name it `host` (a name that resolves there, or the address
    itself), over TLS when given a server context (a certificate for `host`)."""

    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    pushes: list[Push] = field(default_factory=list)
    # Every POST as (token, status answered), in arrival order.
    requests: list[tuple[str, int]] = field(default_factory=list)
    # Why pushes were refused: a correct sender never sees one.
    refusals: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        self._devices: dict[str, Device] = {}
        # token -> (status, how many more (None: all), Location header)
        self._answers: dict[str, tuple[int, int | None, str | None]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        if self.tls is not None:
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def origin(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self._server.server_address[1]}"

    def __enter__(self) -> PushService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def new_device(self, application_server_key: str | None = None) -> Device:
        """A browser subscribing here, optionally bound to the site's VAPID public key."""
        with self._lock:
            token = f"device{len(self._devices) + 1}"
            device = Device(
                token=token,
                endpoint=f"{self.origin}/push/{token}",
                private_key=ec.generate_private_key(ec.SECP256R1()),
                auth_secret=os.urandom(16),
                application_server_key=application_server_key,
            )
            self._devices[token] = device
        return device

    def answer(self, device: Device, status: int, *, times: int | None = None, location: str | None = None) -> None:
        """Answer `status` to pushes for `device`: the next `times` ones, or all from now on;
        with a Location header when given one (a redirect)."""
        with self._lock:
            self._answers[device.token] = (status, times, location)

    def pushes_to(self, device: Device) -> list[dict]:
        with self._lock:
            return [push.payload for push in self.pushes if push.token == device.token]

    def statuses_for(self, device: Device) -> list[int]:
        with self._lock:
            return [status for token, status in self.requests if token == device.token]

    # --- the push service's side ------------------------------------------------------------

    def _planned_answer(self, token: str) -> tuple[int | None, str | None]:
        plan = self._answers.get(token)
        if plan is None:
            return None, None
        status, remaining, location = plan
        if remaining is not None:
            if remaining > 1:
                self._answers[token] = (status, remaining - 1, location)
            else:
                del self._answers[token]
        return status, location

    def receive(self, path: str, headers, body: bytes) -> tuple[int, str | None]:
        """The status to answer a push with, and the Location header to send."""
        with self._lock:
            token = path.removeprefix("/push/")
            device = self._devices.get(token) if path.startswith("/push/") else None
            location = None
            if device is None:
                status = 404
            else:
                status, location = self._planned_answer(token)
                if status is None:
                    try:
                        self.pushes.append(self._accept(device, headers, body))
                        status = 201
                        location = f"{self.origin}/message/{len(self.pushes)}"
                    except Refused as refusal:
                        self.refusals.append(str(refusal))
                        status = refusal.status
            self.requests.append((token, status))
            return status, location

    def _accept(self, device: Device, headers, body: bytes) -> Push:
        if headers.get("Host") != self.origin.split("://")[1]:  # how a shared front end routes it
            raise Refused(400, f"Host header {headers.get('Host')!r} does not name this service")
        key, claims = self._check_vapid(headers.get("Authorization", ""))
        if device.application_server_key is not None and key != device.application_server_key.rstrip("="):
            raise Refused(403, "VAPID key differs from the applicationServerKey of the subscription")
        ttl = headers.get("TTL", "")
        if not ttl.isdigit():
            raise Refused(400, f"TTL header missing or not a number: {ttl!r}")
        if headers.get("Content-Encoding") != "aes128gcm":
            raise Refused(415, f"Content-Encoding is {headers.get('Content-Encoding')!r}, not aes128gcm")
        try:
            plain = http_ece.decrypt(
                body, private_key=device.private_key, auth_secret=device.auth_secret, version="aes128gcm"
            )
        except Exception as error:  # any failure to decrypt is the sender's fault
            raise Refused(400, f"cannot decrypt: {error!r}") from error
        return Push(
            token=device.token,
            payload=json.loads(plain),
            ttl=int(ttl),
            urgency=headers.get("Urgency"),
            vapid_key=key,
            claims=claims,
        )

    def _check_vapid(self, authorization: str) -> tuple[str, dict]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"Authorization is not vapid: {authorization[:20]!r}")
        parts = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        token, key = parts.get("t", ""), parts.get("k", "")
        try:
            signed, signature = token.rsplit(".", 1)
            header = json.loads(unb64url(signed.split(".")[0]))
            claims = json.loads(unb64url(signed.split(".")[1]))
            raw_signature = unb64url(signature)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
            if header.get("alg") != "ES256" or len(raw_signature) != 64:
                raise ValueError(f"not an ES256 token: {header}")
            der = utils.encode_dss_signature(
                int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
            )
            public.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
        except (ValueError, IndexError, InvalidSignature) as error:
            raise Refused(401, f"bad VAPID token: {error!r}") from error
        now = time.time()
        if claims.get("aud") != self.origin:
            raise Refused(401, f"aud {claims.get('aud')!r} is not {self.origin}")
        if not isinstance(claims.get("exp"), int) or not now < claims["exp"] <= now + 24 * 3600:
            raise Refused(401, f"exp {claims.get('exp')!r} not within the next 24 hours")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise Refused(401, f"sub {claims.get('sub')!r} is no contact")
        return key.rstrip("="), claims


def _handler_for(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as push services do

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, location = service.receive(self.path, self.headers, body)
            self.send_response(status)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format, *args):  # quiet: the test reads `requests` instead
            pass

    return Handler
