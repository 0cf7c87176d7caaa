"""Blob files: atomic commit, abort, hostile ids, cleanup of interrupted uploads, kill -9."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from pocketcloud.store.blobs import FileBlobStore
from pocketcloud.store.sqlite import SqliteStore


@pytest.fixture
def blobs(tmp_path: Path) -> Iterator[FileBlobStore]:
    yield FileBlobStore(tmp_path / "blobs")


def write(blobs: FileBlobStore, *chunks: bytes) -> str:
    w = blobs.writer()
    for c in chunks:
        w.write(c)
    return w.commit()


def test_write_commit_read(blobs: FileBlobStore) -> None:
    w = blobs.writer()
    w.write(b"hello ")
    w.write(b"world")
    assert w.size == 11
    blob_id = w.commit()
    assert len(blob_id) == 32 and int(blob_id, 16) >= 0
    assert blobs.path(blob_id) == blobs.root / blob_id[:2] / blob_id
    assert blobs.size(blob_id) == 11
    with blobs.open(blob_id) as f:
        assert f.read() == b"hello world"
    assert list(blobs.ids()) == [blob_id]
    assert list((blobs.root / "tmp").iterdir()) == []


def test_an_uncommitted_blob_is_invisible_until_commit(blobs: FileBlobStore) -> None:
    w = blobs.writer()
    w.write(b"partial")
    assert (blobs.root / "tmp" / f"{w.blob_id}.part").is_file()
    assert not blobs.path(w.blob_id).exists()
    assert list(blobs.ids()) == []
    w.commit()
    assert blobs.path(w.blob_id).exists()


def test_abort_leaves_nothing(blobs: FileBlobStore) -> None:
    w = blobs.writer()
    w.write(b"x" * 100_000)
    w.abort()
    w.abort()
    assert list((blobs.root / "tmp").iterdir()) == []
    assert list(blobs.ids()) == []
    with pytest.raises(ValueError):
        w.write(b"more")


def test_leaving_a_writer_block_without_commit_aborts(blobs: FileBlobStore) -> None:
    with pytest.raises(RuntimeError), blobs.writer() as w:
        w.write(b"data")
        raise RuntimeError
    assert list((blobs.root / "tmp").iterdir()) == []
    with blobs.writer() as w:
        w.write(b"data")
        blob_id = w.commit()
    assert blobs.size(blob_id) == 4


def test_empty_blob(blobs: FileBlobStore) -> None:
    blob_id = write(blobs)
    assert blobs.size(blob_id) == 0


def test_delete_tolerates_missing(blobs: FileBlobStore) -> None:
    blob_id = write(blobs, b"x")
    blobs.delete(blob_id)
    assert not blobs.exists(blob_id)
    blobs.delete(blob_id)
    blobs.delete("0" * 32)
    with pytest.raises(FileNotFoundError):
        blobs.open(blob_id)


@pytest.mark.parametrize(
    "hostile",
    [
        "../../etc/passwd",
        "../" + "0" * 29,
        "0" * 31,
        "0" * 33,
        "",
        "A" * 32,
        "g" * 32,
        "0" * 30 + "/x",
        "0" * 31 + "\x00",
        "/" + "0" * 31,
        "tmp",
        7,
    ],
)
def test_hostile_blob_ids_are_refused(blobs: FileBlobStore, hostile: str) -> None:
    for op in (blobs.path, blobs.open, blobs.size, blobs.delete, blobs.exists):
        with pytest.raises(ValueError):
            op(hostile)


def test_interrupted_uploads_are_removed_on_open(tmp_path: Path) -> None:
    first = FileBlobStore(tmp_path / "blobs")
    kept = write(first, b"committed")
    w = first.writer()
    w.write(b"interrupted")  # the process dies here: no commit, no abort
    part = first.root / "tmp" / f"{w.blob_id}.part"
    assert part.exists()
    reopened = FileBlobStore(tmp_path / "blobs")
    assert not part.exists()
    assert list(reopened.ids()) == [kept]


def test_reset_removes_committed_blobs(blobs: FileBlobStore) -> None:
    ids = [write(blobs, bytes([i])) for i in range(20)]
    assert sorted(blobs.ids()) == sorted(ids)
    blobs.reset()
    assert list(blobs.ids()) == []
    assert (blobs.root / "tmp").is_dir()
    write(blobs, b"after reset")


@pytest.mark.parametrize(("durability", "synced"), [("normal", True), ("full", True), ("off", False)])
def test_commit_fsyncs_unless_durability_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durability: str, synced: bool
) -> None:
    if durability == "full" and sys.platform == "darwin":
        pytest.skip("macOS uses fcntl(F_FULLFSYNC) instead of fsync()")
    blobs = FileBlobStore(tmp_path / "blobs", durability=durability)  # type: ignore[arg-type]
    calls: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        calls.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", counting_fsync)
    write(blobs, b"x")
    # The file, then its shard directory (and the blob root, as the shard is new).
    assert len(calls) == (3 if synced else 0)


def test_the_store_keeps_blobs_under_its_data_dir(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path) as s:
        assert isinstance(s.blobs, FileBlobStore)
        assert s.blobs.root == tmp_path / "blobs"
        assert s.blobs.durability == "normal"
    with SqliteStore.open(None) as s:
        assert s.blobs.durability == "off"


# Each iteration uploads a blob in several chunks, commits it, then commits
# the metadata that points at it, and acknowledges; the parent kills it.
BLOB_WRITER = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path
    from pocketcloud.store.sqlite import SqliteStore

    store = SqliteStore.open(Path(sys.argv[1]))
    meta = store.collection("crash", "blobs")
    for i in range(10_000_000):
        w = store.blobs.writer()
        digest = hashlib.sha256()
        for c in range(8):
            chunk = bytes([i % 256, c]) * (1000 + 97 * ((i + c) % 50))
            w.write(chunk)
            digest.update(chunk)
        blob_id = w.commit()
        meta.put(("000000000000", "us-east-1"), f"b{i:09d}", {"blob": blob_id, "sha256": digest.hexdigest()})
        print(f"b{i:09d}", blob_id, digest.hexdigest(), flush=True)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_kill_9_loses_no_acknowledged_blob(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", BLOB_WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    while len(lines) < 100:
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            pytest.fail(f"writer exited early ({proc.returncode}): {proc.stderr.read()}")
        lines.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    lines.append(proc.stdout.read())
    proc.wait()
    acked = [ln.split() for ln in "".join(lines).split("\n")[:-1]]  # a torn last line was never acknowledged
    assert len(acked) >= 100

    with SqliteStore.open(tmp_path) as s:
        assert list((tmp_path / "blobs" / "tmp").glob("*.part")) == []
        meta = s.collection("crash", "blobs")
        for key, blob_id, sha in acked:
            assert meta.get(("000000000000", "us-east-1"), key) == {"blob": blob_id, "sha256": sha}
            with s.blobs.open(blob_id) as f:
                assert hashlib.sha256(f.read()).hexdigest() == sha
        assert s.integrity_check() == ["ok"]


def test_an_inline_blob_is_a_raw_row_committed_with_the_transaction(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path) as store:
        data = bytes(range(256)) * 4
        w = store.blobs.writer(inline_max=len(data))
        w.write(data)
        with store.transaction():
            blob_id = w.commit()
            store.collection("t", "meta").put(("", ""), "k", {"Blob": blob_id})
        assert store.blobs.read_bytes(blob_id) == data
        stored = store._conn.execute("SELECT data FROM blobs WHERE id = ?", (blob_id,)).fetchone()[0]
        assert stored == data  # bytes as they are: no JSON, no base64
        doc, body = store.collection("t", "meta").get_with_blob(("", ""), "k", "Blob")
        assert doc == {"Blob": blob_id} and body == data


def test_an_inline_blob_rolls_back_with_its_transaction(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path) as store:
        w = store.blobs.writer(inline_max=100)
        w.write(b"body")
        with pytest.raises(RuntimeError), store.transaction():
            blob_id = w.commit()
            raise RuntimeError("metadata write failed")
        assert not store.blobs.exists(blob_id)
        assert list(store.blobs.ids()) == []
