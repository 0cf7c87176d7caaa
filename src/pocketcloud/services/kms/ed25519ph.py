"""Ed25519ph (HashEdDSA over edwards25519, RFC 8032 section 5.1), which KMS's ED25519_PH_SHA_512
signing algorithm is and the `cryptography` package does not offer (it signs pure Ed25519 only).

The arithmetic is RFC 8032's own, in extended coordinates: slow next to a native library (a few
milliseconds a signature) but exact; signing is deterministic, so RFC 8032's test vectors hold
("TEST abc" of section 7.3). The context string is empty, as KMS signs.
"""

from __future__ import annotations

import hashlib

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)
_DOM = b"SigEd25519 no Ed25519 collisions" + bytes([1, 0])  # dom2(phflag=1, context="")

Point = tuple[int, int, int, int]


def _add(p: Point, q: Point) -> Point:
    a = (p[1] - p[0]) * (q[1] - q[0]) % _P
    b = (p[1] + p[0]) * (q[1] + q[0]) % _P
    c = 2 * p[3] * q[3] * _D % _P
    d = 2 * p[2] * q[2] % _P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _multiply(scalar: int, point: Point) -> Point:
    result: Point = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _x_of(y: int, sign: int) -> int | None:
    """The x coordinate of the curve point with `y` whose low bit is `sign`; None if there is none."""
    xx = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if xx == 0:
        return None if sign else 0
    x = pow(xx, (_P + 3) // 8, _P)
    if (x * x - xx) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - xx) % _P:
        return None
    return _P - x if (x & 1) != sign else x


_GY = 4 * pow(5, _P - 2, _P) % _P
_GX = _x_of(_GY, 0) or 0
_G: Point = (_GX, _GY, 1, _GX * _GY % _P)


def _encode(point: Point) -> bytes:
    z = pow(point[2], _P - 2, _P)
    x, y = point[0] * z % _P, point[1] * z % _P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def _decode(data: bytes) -> Point | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = None if y >= _P else _x_of(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


def _equal(p: Point, q: Point) -> bool:
    return (p[0] * q[2] - q[0] * p[2]) % _P == 0 and (p[1] * q[2] - q[1] * p[2]) % _P == 0


def _hash_int(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little") % _L


def _expand(seed: bytes) -> tuple[int, bytes, bytes]:
    """(secret scalar, nonce prefix, encoded public key) of a 32-byte private key."""
    digest = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(digest[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    return scalar, digest[32:], _encode(_multiply(scalar, _G))


def sign(seed: bytes, message: bytes) -> bytes:
    """The 64-byte Ed25519ph signature of `message` (prehashed here with SHA-512) by the key `seed`."""
    scalar, prefix, public = _expand(seed)
    prehash = hashlib.sha512(message).digest()
    r = _hash_int(_DOM, prefix, prehash)
    encoded_r = _encode(_multiply(r, _G))
    k = _hash_int(_DOM, encoded_r, public, prehash)
    return encoded_r + ((r + k * scalar) % _L).to_bytes(32, "little")


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether `signature` is the Ed25519ph signature of `message` by the public key `public` (32 bytes)."""
    if len(signature) != 64:
        return False
    point_a, point_r = _decode(public), _decode(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if point_a is None or point_r is None or s >= _L:
        return False
    k = _hash_int(_DOM, signature[:32], public, hashlib.sha512(message).digest())
    return _equal(_multiply(s, _G), _add(point_r, _multiply(k, point_a)))
