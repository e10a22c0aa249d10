"""Verifying webhook deliveries (Standard Webhooks, https://www.standardwebhooks.com/).

A delivery carries ``webhook-id``, ``webhook-timestamp`` (Unix seconds) and
``webhook-signature``: space-separated ``v1,<base64 HMAC-SHA256>`` entries (several during a
secret rotation) over ``"{id}.{timestamp}.{body}"``. The key of a ``whsec_<base64>`` secret is
its base64-decoded bytes.

Secrets that are not ``whsec_`` + valid base64 (the reference page's placeholder
``whsec_your_signing_secret``, or a plain string) are used as their UTF-8 bytes, whole — the
same rule the service signs with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
from typing import Any, Iterable, Mapping, Optional, Tuple, Union

from .errors import WebhookVerificationError

__all__ = ["verify_webhook", "sign_webhook", "webhook_key", "DEFAULT_TOLERANCE_SECONDS"]

#: How far a delivery's timestamp may be from now (either way) before it is refused as a replay.
DEFAULT_TOLERANCE_SECONDS = 300

_PREFIX = "whsec_"
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")

Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


def webhook_key(secret: Union[str, bytes]) -> bytes:
    """The HMAC key of a signing secret (bytes are taken as the key itself)."""
    if isinstance(secret, (bytes, bytearray)):
        return bytes(secret)
    if secret.startswith(_PREFIX):
        encoded = secret[len(_PREFIX):]
        if encoded and _BASE64.match(encoded) and len(encoded.rstrip("=")) % 4 != 1:
            try:
                key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if key:
                return key
    return secret.encode("utf-8")


def sign_webhook(body: Union[str, bytes], msg_id: str, timestamp: int, secret: Union[str, bytes]) -> str:
    """The ``webhook-signature`` value (``v1,<base64>``) for a body; for tests and your own senders."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    signed = f"{msg_id}.{int(timestamp)}.".encode("utf-8") + raw
    digest = hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _header(headers: Headers, name: str) -> Optional[str]:
    items = headers.items() if hasattr(headers, "items") else headers
    for key, value in items:
        if key.lower() == name:
            return value
    return None


def verify_webhook(
    body: Union[str, bytes],
    headers: Headers,
    secret: Union[str, bytes],
    tolerance_seconds: Optional[float] = DEFAULT_TOLERANCE_SECONDS,
    *,
    now: Optional[float] = None,
) -> Any:
    """Checks one delivery and returns its parsed JSON payload.

    ``body`` must be the raw request body exactly as received (not re-serialized JSON).
    ``headers`` is any mapping or list of pairs (names are matched case-insensitively).
    ``tolerance_seconds`` bounds the distance between ``webhook-timestamp`` and ``now``
    (default: the current time) to refuse replays; ``None`` turns the check off (only for fixed
    test vectors). Raises :class:`WebhookVerificationError` on any failure.
    """
    msg_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not msg_id or not timestamp or not signatures:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature header")
    try:
        ts = int(timestamp.strip())
    except ValueError:
        raise WebhookVerificationError("Invalid webhook-timestamp header") from None
    if tolerance_seconds is not None:
        current = time.time() if now is None else now
        if ts < current - tolerance_seconds:
            raise WebhookVerificationError("Message timestamp too old")
        if ts > current + tolerance_seconds:
            raise WebhookVerificationError("Message timestamp too new")
    expected = sign_webhook(body, msg_id, ts, secret).split(",", 1)[1]
    for entry in signatures.split():
        version, sep, candidate = entry.partition(",")
        if sep and version == "v1" and hmac.compare_digest(candidate.encode("ascii", "replace"), expected.encode("ascii")):
            break
    else:
        raise WebhookVerificationError("No matching signature found")
    try:
        return json.loads(body)
    except ValueError:
        raise WebhookVerificationError("Signed body is not JSON") from None
