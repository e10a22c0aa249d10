"""Offline checks of what the service signs: decision receipts and audit checkpoints.

The service signs with Ed25519 keys it publishes at ``GET /v1/audit/public-key`` (raw 32-byte
keys, base64). Save that document once, somewhere the service's database admins cannot write,
and every check here runs without the service:

* a **receipt** (``GET /v1/approvals/{id}/receipt``) is signed over
  ``b"ass.approval.receipt.v1\\n" + payload.encode("utf-8")``, where ``payload`` is the receipt's
  JSON text exactly as served; :func:`verify_receipt` checks it and only then parses it;
* a **checkpoint** (``GET /v1/audit/checkpoint``) is signed over the seal statement rebuilt from
  its fields (:func:`seal_statement`), eight ``name=value`` lines each ending in a line feed.

Verification is :mod:`agentsecretstore._ed25519`, standard library only.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, Dict, Mapping, Union

from . import _ed25519
from .errors import SignatureError

__all__ = ["public_keys", "seal_statement", "verify_checkpoint", "verify_receipt", "RECEIPT_VERSION", "SEAL_VERSION"]

RECEIPT_VERSION = "ass.approval.receipt.v1"
SEAL_VERSION = "ass.audit.seal.v1"

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_KEY_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")

Keys = Union[Mapping[str, Any], Mapping[str, bytes]]


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise SignatureError(f"{what} is missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{what} is not base64") from None


def public_keys(document: Keys) -> Dict[str, bytes]:
    """The raw public keys by id, from a saved ``GET /v1/audit/public-key`` document or a ready ``{id: bytes}`` map."""
    if "keys" not in document:
        return {str(k): (v if isinstance(v, bytes) else _b64(v, f"public key {k}")) for k, v in document.items()}
    keys: Dict[str, bytes] = {}
    for entry in document.get("keys") or []:
        if entry.get("algorithm", "Ed25519") != "Ed25519":
            continue
        raw = _b64(entry.get("public_key"), f"public key {entry.get('key_id')}")
        if len(raw) != 32:
            raise SignatureError(f"public key {entry.get('key_id')} is not 32 bytes")
        keys[str(entry.get("key_id"))] = raw
    return keys


def _key(keys: Keys, key_id: Any) -> bytes:
    known = public_keys(keys)
    if not isinstance(key_id, str) or key_id not in known:
        raise SignatureError(f"signed by key {key_id!r}, which is not among the trusted public keys")
    return known[key_id]


def seal_statement(checkpoint: Mapping[str, Any]) -> bytes:
    """The exact bytes a seal's (and so a checkpoint's) signature covers, checking each field's form."""
    lines = [SEAL_VERSION]
    for name in ("seal_seq", "first_seq", "chain_seq"):
        value = checkpoint.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SignatureError(f"{name} must be a positive integer")
        lines.append(f"{name}={value}")
    for name in ("prev_hash", "entry_hash"):
        value = checkpoint.get(name)
        if not isinstance(value, str) or not _HEX64.match(value):
            raise SignatureError(f"{name} must be 64 lowercase hex digits")
        lines.append(f"{name}={value}")
    if not isinstance(checkpoint.get("sealed_at"), str) or not _TIME.match(checkpoint["sealed_at"]):
        raise SignatureError("sealed_at must be a UTC time with six fractional digits")
    lines.append(f"sealed_at={checkpoint['sealed_at']}")
    if not isinstance(checkpoint.get("key_id"), str) or not _KEY_ID.match(checkpoint["key_id"]):
        raise SignatureError("key_id is missing or malformed")
    lines.append(f"key_id={checkpoint['key_id']}")
    return "".join(line + "\n" for line in lines).encode("ascii")


def verify_checkpoint(checkpoint: Mapping[str, Any], keys: Keys) -> Mapping[str, Any]:
    """Returns the checkpoint when one of ``keys`` signed it; raises :class:`SignatureError` otherwise."""
    if checkpoint.get("algorithm", "Ed25519") != "Ed25519":
        raise SignatureError(f"unsupported algorithm {checkpoint.get('algorithm')!r}")
    statement = seal_statement(checkpoint)
    if not _ed25519.verify(_key(keys, checkpoint.get("key_id")), statement, _b64(checkpoint.get("signature"), "signature")):
        raise SignatureError(f"the checkpoint's signature does not verify under key {checkpoint.get('key_id')}")
    return checkpoint


def verify_receipt(receipt: Mapping[str, Any], keys: Keys) -> Dict[str, Any]:
    """The signed receipt (the parsed ``payload``) once its signature holds; raises :class:`SignatureError` otherwise."""
    if receipt.get("algorithm", "Ed25519") != "Ed25519":
        raise SignatureError(f"unsupported algorithm {receipt.get('algorithm')!r}")
    payload = receipt.get("payload")
    if not isinstance(payload, str):
        raise SignatureError("the receipt has no payload text")
    signed = (RECEIPT_VERSION + "\n" + payload).encode("utf-8")
    if not _ed25519.verify(_key(keys, receipt.get("key_id")), signed, _b64(receipt.get("signature"), "signature")):
        raise SignatureError(f"the receipt's signature does not verify under key {receipt.get('key_id')}")
    content = json.loads(payload)
    if content.get("version") != RECEIPT_VERSION or content.get("key_id") != receipt.get("key_id"):
        raise SignatureError("the signed payload is not a receipt of this version, or names another key")
    if receipt.get("request_id") not in (None, content.get("request_id")):
        raise SignatureError("the receipt's request_id is not the one its payload names")
    return content
