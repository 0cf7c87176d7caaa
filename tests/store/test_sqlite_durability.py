"""The SQLite store across versions and crashes: schema migrations, and kill -9 mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pocketcloud.store import schema
from pocketcloud.store.schema import SchemaTooNewError
from pocketcloud.store.sqlite import SqliteStore

A = ("000000000000", "us-east-1")


def test_a_new_database_gets_every_migration(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path) as s:
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS) >= 1


def test_an_empty_version_0_database_is_migrated(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "state.db").close()
    with SqliteStore.open(tmp_path) as s:
        s.collection("t", "c").put(A, "k", {})
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == len(schema.MIGRATIONS)


def test_opening_an_older_database_applies_the_newer_migrations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteStore.open(tmp_path) as s:
        s.collection("t", "c").put(A, "old", {"v": 1})
    current = len(schema.MIGRATIONS)

    def add_audit_table(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT)")
        conn.execute("INSERT INTO audit (what) SELECT key FROM documents")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_audit_table])
    with SqliteStore.open(tmp_path) as s:
        assert s._conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
        assert s._conn.execute("SELECT what FROM audit").fetchall() == [("old",)]
        assert s.collection("t", "c").get(A, "old") == {"v": 1}
    with SqliteStore.open(tmp_path) as s:  # applied once only
        assert s._conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 1


def test_a_failing_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqliteStore.open(tmp_path).close()
    current = len(schema.MIGRATIONS)

    def half_done(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, half_done])
    with pytest.raises(RuntimeError, match="migration bug"):
        SqliteStore.open(tmp_path)
    conn = sqlite3.connect(tmp_path / "state.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == current
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchall() == []
    conn.close()


def test_a_database_from_a_newer_pocketcloud_is_refused(tmp_path: Path) -> None:
    SqliteStore.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / "state.db")
    conn.execute(f"PRAGMA user_version = {len(schema.MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError):
        SqliteStore.open(tmp_path)


# Each iteration commits two documents and a sequence number in one
# transaction, then acknowledges on stdout; the parent kills it mid-stream.
DOC_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pocketcloud.store.sqlite import SqliteStore

    store = SqliteStore.open(Path(sys.argv[1]), durability=sys.argv[2])
    coll = store.collection("crash", "docs")
    scope = ("000000000000", "us-east-1")
    for i in range(10_000_000):
        key = f"k{i:09d}"
        with store.transaction():
            seq = store.next_sequence("crash")
            coll.put(scope, key + "/a", {"i": i, "seq": seq, "pad": "x" * (i % 700)})
            coll.put(scope, key + "/b", {"i": i})
        coll.put(scope, key + "/autocommit", {"i": i})
        print(key, seq, flush=True)
    """
)


def run_and_kill(script: str, args: list[str], acks_before_kill: int) -> list[list[str]]:
    """Start `script`, SIGKILL it once it acknowledged enough; every complete line it printed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    lines: list[str] = []
    while len(lines) < acks_before_kill:
        line = proc.stdout.readline()
        if not line:
            proc.wait()
            pytest.fail(f"writer exited early ({proc.returncode}): {proc.stderr.read()}")
        lines.append(line)
    os.kill(proc.pid, signal.SIGKILL)
    rest = proc.stdout.read()
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    lines.append(rest)
    # A torn last line was never acknowledged.
    return [ln.split() for ln in "".join(lines).split("\n")[:-1]]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("durability", ["normal", "full"])
def test_kill_9_loses_no_acknowledged_document(tmp_path: Path, durability: str) -> None:
    acked = run_and_kill(DOC_WRITER, [str(tmp_path), durability], acks_before_kill=300)
    assert len(acked) >= 300

    conn = sqlite3.connect(tmp_path / "state.db")  # recovers the WAL, as any opener would
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()

    with SqliteStore.open(tmp_path) as s:
        coll = s.collection("crash", "docs")
        for key, seq in acked:
            i = int(key[1:])
            assert coll.get(A, key + "/a") == {"i": i, "seq": int(seq), "pad": "x" * (i % 700)}
            assert coll.get(A, key + "/b") == {"i": i}
            assert coll.get(A, key + "/autocommit") == {"i": i}
        # Whatever got further than the last acknowledgement is whole, never half a transaction.
        a_keys = [k[:-2] for k, _ in coll.scan(A) if k.endswith("/a")]
        b_keys = [k[:-2] for k, _ in coll.scan(A) if k.endswith("/b")]
        assert a_keys == b_keys
        assert s.next_sequence("crash") > max(int(seq) for _, seq in acked)
        assert s.integrity_check() == ["ok"]


def test_inline_blobs_of_schema_2_are_moved_to_the_blobs_table(tmp_path: Path) -> None:
    # A schema-2 database kept inline blobs as {"b": "<base64>"} documents of blobs/inline.
    conn = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:2])
    old_id = "i" + "ab" * 15 + "c"
    conn.execute(
        "INSERT INTO documents (service, collection, account, region, key, doc) VALUES (?, ?, '', '', ?, ?)",
        ("blobs", "inline", old_id, '{"b":"AAEC/w=="}'),
    )
    conn.close()
    with SqliteStore.open(tmp_path) as s:
        with s.blobs.open(old_id) as handle:
            assert handle.read() == b"\x00\x01\x02\xff"
        assert s.blobs.size(old_id) == 4
        assert list(s.blobs.ids()) == [old_id]
        assert s.collection("blobs", "inline").count(("", "")) == 0


def test_documents_and_blobs_of_schema_3_keep_their_keys_and_order_as_rowid_tables(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
    schema.migrate(conn, schema.MIGRATIONS[:3])
    rows = [("svc", "c", "a", "r", f"k{i:03d}", f'{{"i":{i}}}', None) for i in (5, 1, 3)]
    rows.append(("svc", "c", "a", "r", "kept", '{"i":9}', 'i|[9]'))
    conn.executemany(
        "INSERT INTO documents (service, collection, account, region, key, doc, fields) VALUES (?, ?, ?, ?, ?, ?, ?)", rows
    )
    conn.execute("INSERT INTO blobs (id, data) VALUES (?, ?)", ("i" + "cd" * 15 + "e", b"\x00body"))
    conn.close()
    with SqliteStore.open(tmp_path) as s:
        tables = dict(s._conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
        assert "WITHOUT ROWID" not in tables["documents"] and "WITHOUT ROWID" not in tables["blobs"]
        docs = s.collection("svc", "c")
        assert [k for k, _ in docs.scan(("a", "r"))] == ["k001", "k003", "k005", "kept"]
        assert docs.get(("a", "r"), "k003") == {"i": 3}
        docs.put(("a", "r"), "k003", {"i": 33})  # a key already there is replaced, not added twice
        assert docs.count(("a", "r")) == 4 and docs.get(("a", "r"), "k003") == {"i": 33}
        with s.blobs.open("i" + "cd" * 15 + "e") as handle:
            assert handle.read() == b"\x00body"
        assert s.integrity_check() == ["ok"]
