"""The flexible checksums S3 accepts (x-amz-checksum-*): CRC32, CRC32C, CRC64NVME, SHA1, SHA256,
SHA512, MD5, XXHASH64, XXHASH3 (64-bit XXH3) and XXHASH128 (128-bit XXH3).

Each checksum is an incremental hasher with `update()` and `digest()`; the
wire form is the base64 of the digest (XXHash's in its canonical big-endian
form, as the SDKs compute it). CRC32, MD5 and the SHAs come from the standard
library. CRC32C, CRC64NVME and the XXHashes use the AWS CRT (`awscrt`, a runtime
dependency: S3 computes a CRC64NVME of every object uploaded without a checksum
of its own); CRC32C can also come from the `crc32c` package, and both CRCs have a
table-driven pure-Python fallback: correct, but only a few MB/s.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from pocketcloud.protocol.errors import ServiceError

try:  # pragma: no cover - depends on the environment
    from awscrt import checksums as _crt
except ImportError:  # pragma: no cover
    _crt = None

_XXHASH: Any = getattr(_crt, "XXHash", None)  # awscrt 0.31.2 and later

try:  # pragma: no cover - depends on the environment
    import crc32c as _crc32c_pkg
except ImportError:  # pragma: no cover
    _crc32c_pkg = None


class Checksum(Protocol):
    def update(self, data: bytes) -> None: ...

    def digest(self) -> bytes: ...


def _reflected_table(poly: int, width: int) -> list[int]:
    mask = (1 << width) - 1
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc & mask)
    return table


_CRC32C_TABLE = _reflected_table(0x82F63B78, 32)
_CRC64NVME_TABLE = _reflected_table(0x9A6C9329AC4BC9B5, 64)


def _crc_update(table: list[int], mask: int, crc: int, data: bytes) -> int:
    # Standard reflected CRC: the register is kept pre-inverted between calls.
    crc ^= mask
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ mask


def _crc32c_python(data: bytes, crc: int) -> int:
    return _crc_update(_CRC32C_TABLE, 0xFFFFFFFF, crc, data)


def _crc64nvme_python(data: bytes, crc: int) -> int:
    return _crc_update(_CRC64NVME_TABLE, 0xFFFFFFFFFFFFFFFF, crc, data)


def _pick_crc32c() -> Callable[[bytes, int], int]:
    if _crt is not None:
        return lambda data, crc: int(_crt.crc32c(data, crc))
    if _crc32c_pkg is not None:
        return lambda data, crc: int(_crc32c_pkg.crc32c(data, crc))
    return _crc32c_python


def _pick_crc64nvme() -> Callable[[bytes, int], int]:
    if _crt is not None and hasattr(_crt, "crc64nvme"):
        return lambda data, crc: int(_crt.crc64nvme(data, crc))
    return _crc64nvme_python


crc32c = _pick_crc32c()
crc64nvme = _pick_crc64nvme()
# The checksums computed in C here (at GB/s, a small share of MD5's cost): worth running on the
# event loop beside the body's writes, leaving a hashing thread to MD5 and the SHAs alone.
NATIVE_CRCS = frozenset(
    {"CRC32"}
    | ({"CRC32C"} if crc32c is not _crc32c_python else set())
    | ({"CRC64NVME"} if crc64nvme is not _crc64nvme_python else set())
    | ({"XXHASH64", "XXHASH3", "XXHASH128"} if _XXHASH is not None else set())
)

# CRC64NVME's polynomial, reflected (the register's lowest bit is the highest power of x).
_CRC64NVME_POLY = 0x9A6C9329AC4BC9B5
_TOP = 1 << 63  # x^0 in the reflected register


def _multiply_mod(a: int, b: int) -> int:
    """a(x) * b(x) modulo CRC64NVME's polynomial, both reflected (zlib's multmodp, 64 bits wide)."""
    product = 0
    mask = _TOP
    while mask and a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ _CRC64NVME_POLY if b & 1 else b >> 1
    return product


def _x_to_8n(n: int) -> int:
    """x^(8n) modulo the polynomial: the shift that appending n bytes applies to a CRC."""
    result, power = _TOP, _TOP >> 1  # x^0, then x^(2^k) for k = 0, 1, ...
    bits = 8 * n
    while bits:
        if bits & 1:
            result = _multiply_mod(power, result)
        power = _multiply_mod(power, power)
        bits >>= 1
    return result


def _combine_crc64nvme_python(crc1: int, crc2: int, length2: int) -> int:
    # The CRC of A||B is A's CRC shifted through len(B) bytes of zeros, xor B's CRC; the
    # initial and final all-ones xors cancel out in that sum.
    return _multiply_mod(_x_to_8n(length2), crc1) ^ crc2


def combine_crc64nvme(crc1: int, crc2: int, length2: int) -> int:
    """The CRC64NVME of A||B from CRC64NVME(A), CRC64NVME(B) and len(B), without reading A or B."""
    if _crt is not None and hasattr(_crt, "combine_crc64nvme"):
        return int(_crt.combine_crc64nvme(crc1, crc2, length2))
    return _combine_crc64nvme_python(crc1, crc2, length2)


class _Crc:
    def __init__(self, fn: Callable[[bytes, int], int], size: int) -> None:
        self._fn = fn
        self._size = size
        self._value = 0

    def update(self, data: bytes) -> None:
        self._value = self._fn(data, self._value)

    def digest(self) -> bytes:
        return self._value.to_bytes(self._size, "big")


class _Hash:
    def __init__(self, name: str) -> None:
        self._h: Any = hashlib.new(name)

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return bytes(self._h.digest())


class _XXHash:
    """An XXHash of the AWS CRT, made by one of its constructors (`new_xxhash64`, ...)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._h = make()

    def update(self, data: bytes) -> None:
        self._h.update(data)

    def digest(self) -> bytes:
        return bytes(self._h.finalize())


def _zlib_crc32(data: bytes, crc: int) -> int:
    return zlib.crc32(data, crc)


_FACTORIES: dict[str, Callable[[], Checksum]] = {
    "crc32": lambda: _Crc(_zlib_crc32, 4),
    "crc32c": lambda: _Crc(crc32c, 4),
    "crc64nvme": lambda: _Crc(crc64nvme, 8),
    "sha1": lambda: _Hash("sha1"),
    "sha256": lambda: _Hash("sha256"),
    "sha512": lambda: _Hash("sha512"),
    "md5": lambda: _Hash("md5"),
}
if _XXHASH is not None:
    _FACTORIES["xxhash64"] = lambda: _XXHash(_XXHASH.new_xxhash64)
    _FACTORIES["xxhash3"] = lambda: _XXHash(_XXHASH.new_xxhash3_64)
    _FACTORIES["xxhash128"] = lambda: _XXHash(_XXHASH.new_xxhash3_128)

# The one table of algorithms: everything else that names them (S3's members and headers, the
# algorithms a multipart upload's checksum types take) is derived from it, in this order.
ALGORITHMS = tuple(_FACTORIES)
_HEADER_ALGORITHMS = {f"x-amz-checksum-{algorithm}": algorithm for algorithm in ALGORITHMS}
# The header in which an SDK names the algorithm of the checksum it sends (no value of its own).
SDK_ALGORITHM_HEADER = "x-amz-sdk-checksum-algorithm"


def new_checksum(algorithm: str) -> Checksum | None:
    """A fresh hasher for `algorithm` ("crc32", "CRC32C", ...), or None if it is not one S3 knows."""
    factory = _FACTORIES.get(algorithm.lower())
    return factory() if factory else None


def algorithm_of_header(name: str) -> str | None:
    """The algorithm of a checksum header ("x-amz-checksum-crc32" → "crc32"), else None."""
    return _HEADER_ALGORITHMS.get(name) or _HEADER_ALGORITHMS.get(name.lower())


def header_algorithms(headers: Iterable[str]) -> list[str]:
    """The algorithms of the x-amz-checksum-<algorithm> names among `headers` (lower-cased, as a
    request's are): a dict lookup per name, since every S3 request is looked through."""
    return [algorithm for algorithm in map(_HEADER_ALGORITHMS.get, headers) if algorithm]


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def is_canonical_b64(value: str, size: int) -> bool:
    """Whether `value` is the base64 of `size` bytes exactly as an encoder writes it."""
    try:
        digest = base64.b64decode(value, validate=True)
    except ValueError:  # binascii.Error is a ValueError
        return False
    return len(digest) == size and base64.b64encode(digest).decode("ascii") == value


def content_md5_digest(value: str | None) -> bytes | None:
    """The digest a Content-MD5 header names (None: no header), refused as S3 refuses one that is no MD5."""
    if value is None:  # an empty Content-MD5 is an invalid digest, as S3 answers
        return None
    try:
        digest = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        digest = b""
    if len(digest) != 16:
        fields: dict[str, Any] = {"Content-MD5": value}
        raise ServiceError("InvalidDigest", "The Content-MD5 you specified was invalid.", status=400, **fields)
    return digest
