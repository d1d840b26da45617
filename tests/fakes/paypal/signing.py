"""Webhook signatures as PayPal makes them: SHA256withRSA over
``transmission_id|transmission_time|webhook_id|crc32(body)``, with the certificate at
``PAYPAL-CERT-URL``. Each server makes its own key, so nothing signed elsewhere passes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import zlib
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

AUTH_ALGO = "SHA256withRSA"


def event_body(event: dict[str, Any]) -> bytes:
    """The bytes a webhook carries; verification re-serializes the event the same way."""
    return json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()


def signed_text(transmission_id: str, when: str, webhook_id: str, body: bytes) -> bytes:
    return f"{transmission_id}|{when}|{webhook_id}|{zlib.crc32(body)}".encode()


class Signer:
    """The server's key and its self-signed certificate."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts")])
        start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def sign(self, text: bytes) -> str:
        signature = self.key.sign(text, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()

    def check(self, text: bytes, signature: str) -> bool:
        try:
            raw = base64.b64decode(signature, validate=True)
            self.cert.public_key().verify(raw, text, padding.PKCS1v15(), hashes.SHA256())
        except (binascii.Error, ValueError, InvalidSignature):
            return False
        return True
