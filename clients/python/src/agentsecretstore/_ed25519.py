"""Ed25519 signature verification (RFC 8032, section 5.1.7), in plain Python.

Verification only: no secret is ever handled here, so the usual concern of pure-Python
cryptography (timing leaks of a private key) does not arise. Points are kept in extended
homogeneous coordinates (X : Y : Z : T) with x = X/Z, y = Y/Z, x*y = T/Z, as RFC 8032 does.
Slow (a few milliseconds per signature) and plain on purpose: it is meant to be read.
"""

from __future__ import annotations

import hashlib
from typing import Optional, Tuple

__all__ = ["verify"]

P = 2**255 - 19                                                   # the field prime
L = 2**252 + 27742317777372353535851937790883648493               # the order of the base point
D = -121665 * pow(121666, P - 2, P) % P                           # the curve constant d
SQRT_M1 = pow(2, (P - 1) // 4, P)                                 # a square root of -1

Point = Tuple[int, int, int, int]


def _add(p: Point, q: Point) -> Point:
    """Point addition on the twisted Edwards curve (RFC 8032, 5.1.4)."""
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _multiply(s: int, p: Point) -> Point:
    """s * p by double-and-add."""
    q: Point = (0, 1, 1, 0)                                       # the neutral element
    while s > 0:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _equal(p: Point, q: Point) -> bool:
    """Projective equality: x1/z1 == x2/z2 and y1/z1 == y2/z2."""
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def _recover_x(y: int, sign: int) -> Optional[int]:
    """The x with x^2 = (y^2 - 1) / (d y^2 + 1) and the given low bit, or None (RFC 8032, 5.1.3)."""
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


def _decode_point(raw: bytes) -> Optional[Point]:
    """A 32-byte encoding: y little-endian in 255 bits, the top bit the low bit of x."""
    y = int.from_bytes(raw, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


_BY = 4 * pow(5, P - 2, P) % P
BASE: Point = (_recover_x(_BY, 0) or 0, _BY, 1, (_recover_x(_BY, 0) or 0) * _BY % P)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` (64 bytes) is ``public_key``'s (32 bytes) Ed25519 signature of ``message``."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    a = _decode_point(public_key)
    r = _decode_point(signature[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(signature[32:], "little")
    if s >= L:                                                    # a non-canonical S is refused (malleability)
        return False
    k = int.from_bytes(hashlib.sha512(signature[:32] + public_key + message).digest(), "little") % L
    # The group equation [S]B = R + [k]A.
    return _equal(_multiply(s, BASE), _add(r, _multiply(k, a)))
