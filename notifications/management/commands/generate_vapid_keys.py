"""A fresh VAPID key pair for Web Push, as two lines ready for .env."""

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _base64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_vapid_keys() -> tuple[str, str]:
    """(public, private): the public key as the uncompressed P-256 point browsers take as
    applicationServerKey, the private key as its raw 32-byte scalar, which pywebpush reads."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _base64url(public), _base64url(private)


class Command(BaseCommand):
    help = (
        "Make a VAPID key pair for Web Push and print it as VAPID_PUBLIC_KEY=… and VAPID_PRIVATE_KEY=… "
        "lines for .env. Browsers subscribed under one pair stop receiving pushes when it changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--env-file",
            metavar="PATH",
            help="Write the lines to PATH instead, only if it does not exist yet (keys made once stay).",
        )

    def handle(self, *args, env_file=None, **options):
        public, private = new_vapid_keys()
        lines = f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\n"
        if env_file is None:
            self.stdout.write(lines, ending="")
            return
        path = Path(env_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two `make run`s starting at once cannot both write; 0600: a private key.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            self.stdout.write(f"{path} exists; its VAPID keys stay.")
            return
        with os.fdopen(descriptor, "w") as file:
            file.write(lines)
        self.stdout.write(f"Wrote a new VAPID key pair to {path}.")
