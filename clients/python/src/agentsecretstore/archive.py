"""Offline check of an exported audit archive (``ASS_AUDIT_EXPORT_DIR``), without the database.

An archive is a gzip JSON Lines file the service writes before it drops an expired day partition of
its audit trail: a run of whole seals of the hash chain with every entry they hold. Line 1 is the
archive's header, signed over :data:`ARCHIVE_VERSION`'s statement; then each seal (the fields of a
checkpoint, signed over the seal statement) followed by its entries in chain order.

:func:`verify_archive` checks every signature against the saved ``GET /v1/audit/public-key``
document, recomputes every entry hash (SHA-256, the service's ``audit.AuditChain`` encoding), checks
that each entry links to the one before and each seal to the one before, and that the file ends at
exactly the head the header signs: an edited, added, removed or reordered line is named. Archives
given in order are also checked to continue one another.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import struct
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List, Mapping, Optional

from . import _ed25519
from .errors import SignatureError
from .signatures import _KEY_ID, Keys, _b64, _key, verify_checkpoint

__all__ = ["verify_archive", "verify_archives", "archive_statement", "entry_hash", "ARCHIVE_VERSION"]

ARCHIVE_VERSION = "ass.audit.archive.v1"
_CHAIN_VERSION = b"ass.audit.v1"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_PARTITION = re.compile(r"^[a-z0-9_]{1,63}$")
_TIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$")
_AFTER_TIME = ("action", "outcome", "actor_id", "actor_name", "actor_role", "namespace", "path", "target_id",
               "source_ip", "details")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def archive_statement(header: Mapping[str, Any]) -> bytes:
    """The exact bytes an archive header's signature covers."""
    lines = [ARCHIVE_VERSION]
    partition = header.get("partition")
    if not isinstance(partition, str) or not _PARTITION.match(partition):
        raise SignatureError("the archive header's partition is missing or malformed")
    lines.append(f"partition={partition}")
    for name in ("first_seal", "last_seal", "first_seq", "chain_seq"):
        value = header.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise SignatureError(f"the archive header's {name} must be a positive integer")
        lines.append(f"{name}={value}")
    for name in ("prev_hash", "entry_hash"):
        value = header.get(name)
        if not isinstance(value, str) or not _HEX64.match(value):
            raise SignatureError(f"the archive header's {name} must be 64 lowercase hex digits")
        lines.append(f"{name}={value}")
    if not isinstance(header.get("key_id"), str) or not _KEY_ID.match(header["key_id"]):
        raise SignatureError("the archive header's key_id is missing or malformed")
    lines.append(f"key_id={header['key_id']}")
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _micros(value: Any) -> int:
    m = _TIME.match(value) if isinstance(value, str) else None
    if not m:
        raise SignatureError(f"recorded_at {value!r} is not a UTC time with six fractional digits")
    y, mo, d, h, mi, s, us = (int(x) for x in m.groups())
    delta = datetime(y, mo, d, h, mi, s, tzinfo=timezone.utc) - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + us


def _text(value: Any) -> bytes:
    if value is None:
        return struct.pack(">i", -1)
    if not isinstance(value, str):
        raise SignatureError(f"an entry field is {type(value).__name__}, not text")
    raw = value.encode("utf-8")
    return struct.pack(">i", len(raw)) + raw


def entry_hash(prev: bytes, entry: Mapping[str, Any], seq: int) -> bytes:
    """SHA-256 of an entry at chain position ``seq`` after ``prev``, as the service computes it."""
    out = [_CHAIN_VERSION, prev, struct.pack(">q", seq), _text(entry.get("id")), struct.pack(">q", _micros(entry.get("recorded_at")))]
    out.extend(_text(entry.get(name)) for name in _AFTER_TIME)
    return hashlib.sha256(b"".join(out)).digest()


def _lines(source: Any) -> Iterable[Dict[str, Any]]:
    try:
        with gzip.open(source, "rt", encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                try:
                    yield json.loads(line)
                except ValueError:
                    raise SignatureError(f"line {number} is not JSON") from None
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise SignatureError(f"the archive is not a complete gzip file: {e}") from None


def verify_archive(source: Any, keys: Keys, previous: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    """Checks one archive file (a path or a binary file object); returns a summary, raises :class:`SignatureError`.

    ``previous`` is the summary of the archive before it, to check that this one continues it.
    """
    lines = _lines(source)
    header = next(lines, None)
    if not header or header.get("type") != "archive" or header.get("version") != ARCHIVE_VERSION:
        raise SignatureError("the file does not start with an archive header of this version")
    if header.get("algorithm", "Ed25519") != "Ed25519":
        raise SignatureError(f"unsupported algorithm {header.get('algorithm')!r}")
    if not _ed25519.verify(_key(keys, header.get("key_id")), archive_statement(header), _b64(header.get("signature"), "signature")):
        raise SignatureError(f"the archive header's signature does not verify under key {header.get('key_id')}")
    if previous is not None and (header["first_seal"] != previous["last_seal"] + 1
                                 or header["first_seq"] != previous["chain_seq"] + 1
                                 or header["prev_hash"] != previous["entry_hash"]):
        raise SignatureError(f"archive {header['partition']} does not continue archive {previous['partition']}")
    seal_seq = header["first_seal"] - 1
    position = header["first_seq"] - 1
    prev = bytes.fromhex(header["prev_hash"])
    seal: Optional[Dict[str, Any]] = None
    entries = 0

    def close(current: Optional[Dict[str, Any]]) -> None:
        if current is not None and (position != current["chain_seq"] or prev.hex() != current["entry_hash"]):
            raise SignatureError(f"seal {current['seal_seq']} does not end where its entries end "
                                 f"(chain_seq {position}): entries were removed, added or changed")

    for line in lines:
        kind = line.get("type")
        if kind == "seal":
            close(seal)
            verify_checkpoint(line, keys)
            if line["seal_seq"] != seal_seq + 1:
                raise SignatureError(f"seal {line['seal_seq']} follows seal {seal_seq}: the seals between are missing")
            if line["first_seq"] != position + 1 or line["prev_hash"] != prev.hex():
                raise SignatureError(f"seal {line['seal_seq']} does not link to the entry before it")
            seal, seal_seq = line, line["seal_seq"]
        elif kind == "entry":
            if seal is None:
                raise SignatureError("an entry comes before any seal")
            position += 1
            if line.get("chain_seq") != position:
                raise SignatureError(f"entry {line.get('id')} has chain_seq {line.get('chain_seq')}, expected {position}")
            computed = entry_hash(prev, line, position)
            if computed.hex() != line.get("entry_hash"):
                raise SignatureError(f"entry {line.get('id')} at chain_seq {position} does not match its hash: it was changed")
            prev = computed
            entries += 1
        else:
            raise SignatureError(f"unknown line type {kind!r}")
    close(seal)
    if seal_seq != header["last_seal"] or position != header["chain_seq"] or prev.hex() != header["entry_hash"]:
        raise SignatureError(f"the archive ends at seal {seal_seq}, chain_seq {position}, but its header signs seal "
                             f"{header['last_seal']}, chain_seq {header['chain_seq']}: it was cut or extended")
    return {"valid": True, "partition": header["partition"], "from": header.get("from"), "to": header.get("to"),
            "first_seal": header["first_seal"], "last_seal": header["last_seal"], "first_seq": header["first_seq"],
            "chain_seq": header["chain_seq"], "entry_hash": header["entry_hash"], "entries": entries,
            "key_id": header["key_id"]}


def verify_archives(sources: List[Any], keys: Keys) -> List[Dict[str, Any]]:
    """Checks archives given in chain order, each continuing the one before."""
    results: List[Dict[str, Any]] = []
    for source in sources:
        results.append(verify_archive(source, keys, results[-1] if results else None))
    return results
