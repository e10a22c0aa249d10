"""A software passkey for the integration tests: a P-256 key (made and used by the ``openssl``
command, as Python's standard library has no ECDSA) that answers the service's registration and
step-up challenges with real ES256 signatures, encoded as a browser sends them. The service
verifies them like any other; approving a critical request needs one (the passkey step-up).

The origin and relying party are those of the service's default ``ASS_PUBLIC_URL``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import tempfile
from typing import Any, Dict

ORIGIN = "http://localhost:8080"
RP_ID = "localhost"


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _cbor(value: Any) -> bytes:
    """Just enough CBOR (RFC 8949) for an attestation object and a COSE key."""
    def head(major: int, n: int) -> bytes:
        if n < 24:
            return bytes([(major << 5) | n])
        if n < 256:
            return bytes([(major << 5) | 24, n])
        if n < 65536:
            return bytes([(major << 5) | 25]) + n.to_bytes(2, "big")
        return bytes([(major << 5) | 26]) + n.to_bytes(4, "big")
    if isinstance(value, bool):
        raise TypeError("no booleans here")
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        encoded = value.encode()
        return head(3, len(encoded)) + encoded
    if isinstance(value, list):
        return head(5, len(value)) + b"".join(_cbor(k) + _cbor(v) for k, v in value)
    raise TypeError(type(value))


class SoftPasskey:
    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="passkey-")
        self._key = os.path.join(self._dir, "key.pem")
        subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", self._key],
                       check=True, capture_output=True)
        spki = subprocess.run(["openssl", "ec", "-in", self._key, "-pubout", "-outform", "DER"],
                              check=True, capture_output=True).stdout
        point = spki[-65:]  # the uncompressed point 04 || x || y ends the SubjectPublicKeyInfo
        assert point[0] == 4
        self._x, self._y = point[1:33], point[33:]
        self.credential_id = os.urandom(32)
        self.counter = 0

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": ORIGIN, "crossOrigin": False}).encode()

    def registration(self, challenge: str) -> Dict[str, Any]:
        """The body of ``POST /v1/passkeys`` answering a registration challenge."""
        cose = _cbor([(1, 2), (3, -7), (-1, 1), (-2, self._x), (-3, self._y)])
        auth = (hashlib.sha256(RP_ID.encode()).digest() + bytes([0x45]) + (0).to_bytes(4, "big") + bytes(16)
                + len(self.credential_id).to_bytes(2, "big") + self.credential_id + cose)
        attestation = _cbor([("fmt", "none"), ("attStmt", []), ("authData", auth)])
        return {"label": "python software passkey", "client_data_json": _b64u(self._client_data("webauthn.create", challenge)),
                "attestation_object": _b64u(attestation), "transports": ["internal"]}

    def assertion(self, challenge: str) -> Dict[str, str]:
        """An assertion answering a step-up challenge: the approve call's ``step_up``."""
        self.counter += 1
        auth = hashlib.sha256(RP_ID.encode()).digest() + bytes([0x05]) + self.counter.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", challenge)
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self._key],
                                   input=auth + hashlib.sha256(client_data).digest(), check=True, capture_output=True).stdout
        return {"credential_id": _b64u(self.credential_id), "client_data_json": _b64u(client_data),
                "authenticator_data": _b64u(auth), "signature": _b64u(signature)}
