"""The flexible checksums against their catalogued check values (the CRC of b"123456789")."""

from __future__ import annotations

import base64
import hashlib
import zlib

import pytest

from pocketcloud.auth import checksums

CHECK = b"123456789"


@pytest.mark.parametrize(
    ("algorithm", "digest"),
    [
        ("crc32", zlib.crc32(CHECK).to_bytes(4, "big")),
        ("crc32c", bytes.fromhex("e3069283")),
        ("crc64nvme", bytes.fromhex("ae8b14860a799888")),
        ("sha1", hashlib.sha1(CHECK).digest()),
        ("sha256", hashlib.sha256(CHECK).digest()),
        ("sha512", hashlib.sha512(CHECK).digest()),
        ("md5", hashlib.md5(CHECK).digest()),
        # the reference xxhash implementation's (python-xxhash 3.5) values, in canonical byte order
        ("xxhash64", bytes.fromhex("8cb841db40e6ae83")),
        ("xxhash3", bytes.fromhex("72dcb18b67a17dff")),
        ("xxhash128", bytes.fromhex("33119477ede5dcd5e9716427681d5860")),
    ],
)
def test_check_values_in_one_or_many_updates(algorithm: str, digest: bytes) -> None:
    whole = checksums.new_checksum(algorithm)
    assert whole is not None
    whole.update(CHECK)
    assert whole.digest() == digest
    split = checksums.new_checksum(algorithm.upper())
    assert split is not None
    for i in range(len(CHECK)):
        split.update(CHECK[i : i + 1])
    assert split.digest() == digest


def test_python_fallbacks_match_check_values() -> None:
    assert checksums._crc32c_python(CHECK, 0) == 0xE3069283
    assert checksums._crc64nvme_python(CHECK, 0) == 0xAE8B14860A799888


def test_header_names_and_encoding() -> None:
    assert checksums.algorithm_of_header("X-Amz-Checksum-CRC32C") == "crc32c"
    assert checksums.algorithm_of_header("x-amz-checksum-xxhash128") == "xxhash128"
    assert checksums.algorithm_of_header("x-amz-checksum-sha384") is None
    assert checksums.new_checksum("sha384") is None
    assert checksums.b64(b"\xe3\x06\x92\x83") == base64.b64encode(b"\xe3\x06\x92\x83").decode()


@pytest.mark.parametrize(("first", "second"), [(b"", b""), (b"1234", b"56789"), (CHECK, b""), (b"", CHECK)])
def test_crc64nvme_of_two_pieces_combines_into_the_crc64nvme_of_both(first: bytes, second: bytes) -> None:
    whole = checksums._crc64nvme_python(first + second, 0)
    a, b = checksums._crc64nvme_python(first, 0), checksums._crc64nvme_python(second, 0)
    assert checksums._combine_crc64nvme_python(a, b, len(second)) == whole
    assert checksums.combine_crc64nvme(a, b, len(second)) == whole  # the CRT's, when installed
