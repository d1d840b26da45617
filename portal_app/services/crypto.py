"""Password hashing, keyed token hashes and encryption of secrets at rest."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import hmac
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor

from cryptography.fernet import Fernet, InvalidToken
from passlib.hash import argon2

from portal_app.settings import get_settings

from .offloop import check_off_loop

# argon2id with 64 MiB and 3 passes (RFC 9106's second recommendation) in one lane: one
# hash takes one core (~0.3-0.4 s), never all of them, so a burst of logins cannot
# starve the event loop of a small machine. Hashes made with 4 lanes still verify.
_hasher = argon2.using(type="ID", memory_cost=65536, rounds=3, parallelism=1)

# Verified against when the email is unknown, so both paths cost the same.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def _lower_priority() -> None:
    """Hashing threads run at a lower CPU priority (Linux: per-thread nice, inherited
    by argon2's own lane threads): a burst of logins fills idle cores but the loop
    and the threads serving other users' events come first."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# At most this many hashes at once (each 64 MiB and one core): one core always stays
# for the event loop and the threads that serve everyone else's events.
_hash_pool = ThreadPoolExecutor(
    max_workers=max(1, (os.cpu_count() or 2) - 1),
    thread_name_prefix="portal-argon2",
    initializer=_lower_priority,
)


def hash_password(password: str) -> str:
    check_off_loop("argon2 hashing")
    return _hash_pool.submit(_hasher.hash, password).result()


def _verify(password: str, password_hash: str | None) -> bool:
    try:
        ok = _hasher.verify(password, password_hash or _DUMMY_HASH)
    except (ValueError, TypeError):
        return False
    return ok and password_hash is not None


def verify_password(password: str, password_hash: str | None) -> bool:
    """Constant-effort check: an unknown account still pays for one verify."""
    check_off_loop("argon2 verification")
    return _hash_pool.submit(_verify, password, password_hash).result()


def new_token() -> str:
    """A random 256-bit token, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Keyed SHA-256 of a token: a stolen database does not yield usable tokens."""
    key = _secret_key().encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def _secret_key() -> str:
    return get_settings().secret_key.get_secret_value()


@functools.cache
def _fernet(secret_key: str) -> Fernet:
    digest = hashlib.sha256(b"carrier-portal/secrets-at-rest/" + secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(digest.digest()))


def encrypt_secret(plain: str) -> str:
    return _fernet(_secret_key()).encrypt(plain.encode()).decode()


def replaced_secret(saved: str | None, typed: str, clear: bool) -> tuple[str | None, str]:
    """A saved secret after a form whose empty box means "unchanged": (the encrypted value
    to keep, and for the audit row "changed", "removed" or "unchanged")."""
    if typed:
        return encrypt_secret(typed), "changed"
    if clear and saved:
        return None, "removed"
    return saved, "unchanged"


def decrypt_secret(cipher: str) -> str:
    try:
        return _fernet(_secret_key()).decrypt(cipher.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("secret cannot be decrypted with this PORTAL_SECRET_KEY") from exc
