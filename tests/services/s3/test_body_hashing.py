"""BodyHasher (services/s3/hashing.py): digests of everything it was given, in order, whatever the pace.

A unit test of the one piece of S3's upload path that runs in a thread of its
own: the digests must equal hashlib's over the same bytes whether the body
stays under the in-line limit, crosses it mid-piece, or outruns the worker
(so that `room()` has to wait); and a body abandoned half-way leaves no
worker behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import threading
import zlib

import pytest

from pocketcloud.auth import checksums
from pocketcloud.services.s3.hashing import INLINE_BYTES, MAX_BACKLOG, BodyHasher


def _pieces(total: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces, sent = [], 0
    while sent < total:
        size = min(total - sent, rng.choice([1, 100, 65536, 262144, 1048577]))
        pieces.append(rng.randbytes(size))
        sent += size
    return pieces


async def _hash(pieces: list[bytes]) -> tuple[str, bytes]:
    md5, crc = hashlib.md5(), checksums.new_checksum("crc32")
    assert crc is not None
    hasher = BodyHasher([md5, crc])
    try:
        for piece in pieces:
            hasher.update(piece)
            await hasher.room()
        await hasher.finish()
    finally:
        hasher.close()
    return md5.hexdigest(), crc.digest()


@pytest.mark.parametrize("total", [0, 1000, INLINE_BYTES, INLINE_BYTES + 1, 3 * MAX_BACKLOG + 17])
def test_digests_cover_every_byte_in_order(total: int) -> None:
    pieces = _pieces(total, total)
    whole = b"".join(pieces)
    md5_hex, crc = asyncio.run(_hash(pieces))
    assert md5_hex == hashlib.md5(whole).hexdigest()
    assert crc == zlib.crc32(whole).to_bytes(4, "big")


def test_a_body_abandoned_half_way_leaves_no_worker_running() -> None:
    async def abandon() -> None:
        hasher = BodyHasher([hashlib.md5()])
        try:
            for piece in _pieces(4 * INLINE_BYTES, 3):
                hasher.update(piece)
            raise ConnectionAbortedError("client went away")
        finally:
            hasher.close()

    with pytest.raises(ConnectionAbortedError):
        asyncio.run(abandon())
    for thread in threading.enumerate():
        if thread.name == "s3-body-hash":
            thread.join(timeout=10)
            assert not thread.is_alive()
