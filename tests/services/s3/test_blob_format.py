"""The on-disk format of object bodies across versions: blobs written by an older pocketcloud (data
key from HMAC-SHA256, mode byte 0 or 1) still read back beside new ones (keyed BLAKE2b, bit 1),
whole and by range, and a multipart upload begun before the change joins its parts as they were sealed.
No HTTP surface can produce an old blob, so this drives the blob cipher on a real store directly."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pocketcloud.services.s3.encryption import (
    BLAKE2_KDF,
    CUSTOMER_KEY,
    SERVER_KEY,
    MissingCustomerKey,
    Seal,
    cipher_for,
)
from pocketcloud.store.sqlite import SqliteStore


def _write(store: SqliteStore, data: bytes, seal: Seal, inline: int = 0) -> str:
    writer = cipher_for(store.blobs).writer(seal, inline)
    writer.write(data)
    with store.transaction():
        return writer.commit()


@pytest.mark.parametrize("inline", [0, 64 * 1024], ids=["file", "inline"])
def test_blobs_of_both_key_derivations_read_back(tmp_path: Path, inline: int) -> None:
    data = os.urandom(5000)
    customer = os.urandom(32)
    with SqliteStore.open(tmp_path) as store:
        cipher = cipher_for(store.blobs)
        old = _write(store, data, Seal(os.urandom(16), SERVER_KEY), inline)
        old_c = _write(store, data, Seal(os.urandom(16), CUSTOMER_KEY, customer), inline)
        new = _write(store, data, Seal.new(), inline)
        new_c = _write(store, data, Seal.new(customer), inline)
        assert Seal.new().mode == SERVER_KEY | BLAKE2_KDF
        for blob in (old, new):
            assert b"".join(cipher.read(blob)) == data
            assert cipher.read_small(blob, 17, 100) == data[17:117]
        for blob in (old_c, new_c):
            assert b"".join(cipher.read(blob, customer=customer)) == data
            with pytest.raises(MissingCustomerKey):
                cipher.read_small(blob)
        # The two derivations give different keys: an old blob read as a new one would be garbage.
        salt = os.urandom(16)
        assert cipher.data_key(SERVER_KEY, salt, None) != cipher.data_key(SERVER_KEY | BLAKE2_KDF, salt, None)


def test_an_upload_recorded_before_blake2b_joins_its_parts_with_hmac_keys(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path) as store:
        cipher = cipher_for(store.blobs)
        recorded = {"Salt": os.urandom(16).hex(), "CustomerKey": False}  # as older uploads recorded it
        seal = Seal.from_doc(recorded, None)
        assert seal.mode == SERVER_KEY
        parts = [_write(store, chunk, seal) for chunk in (b"a" * 100, b"b" * 50)]
        joined, size = cipher.join(parts, Seal.from_doc(recorded, None))
        assert size == 150
        assert b"".join(cipher.read(joined)) == b"a" * 100 + b"b" * 50
        assert Seal.from_doc(Seal.new().to_doc(), None).mode == SERVER_KEY | BLAKE2_KDF
