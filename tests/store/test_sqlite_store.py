"""The embedded SQLite store: documents, ordering, transactions, sequences, persistence."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.store import Scope, UnusableKey, open_store
from pocketcloud.store.schema import prefix_end
from pocketcloud.store.sqlite import SqliteStore, StoreInUse, in_use

A: Scope = ("000000000000", "us-east-1")
B: Scope = ("111111111111", "us-east-1")
A_WEST: Scope = ("000000000000", "eu-west-1")
GLOBAL: Scope = ("000000000000", "")

# Keys chosen so that UTF-8 byte order differs from naive expectations:
# "/" (0x2F) sorts before "0" (0x30), and multi-byte characters after ASCII.
AWKWARD_KEYS = [
    "a",
    "a/b",
    "a0",
    "é",
    "\U0001f600",
    "",
    "\x00",
    "a\x00b",
    "z",
    "\ufffd",
    "\U0010ffff",
    "\ue000",
]


def utf8_sorted(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: k.encode("utf-8"))


@pytest.fixture(params=["data dir", "ephemeral"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqliteStore]:
    # Both journals: a data directory's WAL, an ephemeral store's rollback journal in memory.
    s = SqliteStore.open(tmp_path / "data" if request.param == "data dir" else None)
    yield s
    s.close()


def test_put_get_replace_delete(store: SqliteStore) -> None:
    users = store.collection("iam", "users")
    assert users.get(GLOBAL, "alice") is None
    users.put(GLOBAL, "alice", {"UserName": "alice", "Tags": [{"Key": "k", "Value": "ü"}]})
    assert users.get(GLOBAL, "alice") == {"UserName": "alice", "Tags": [{"Key": "k", "Value": "ü"}]}
    users.put(GLOBAL, "alice", {"UserName": "alice", "Path": "/x/"})
    assert users.get(GLOBAL, "alice") == {"UserName": "alice", "Path": "/x/"}
    assert users.delete(GLOBAL, "alice") is True
    assert users.delete(GLOBAL, "alice") is False
    assert users.get(GLOBAL, "alice") is None


def test_insert_creates_only_when_absent(store: SqliteStore) -> None:
    buckets = store.collection("s3", "buckets")
    assert buckets.insert(A, "b1", {"v": 1}) is True
    assert buckets.insert(A, "b1", {"v": 2}) is False
    assert buckets.get(A, "b1") == {"v": 1}


def test_concurrent_inserts_of_one_key_have_one_winner(store: SqliteStore) -> None:
    buckets = store.collection("s3", "buckets")
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def race(i: int) -> None:
        barrier.wait()
        results.append(buckets.insert(A, "contended", {"winner": i}))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_scopes_collections_and_services_are_isolated(store: SqliteStore) -> None:
    objects = store.collection("s3", "objects")
    other = store.collection("s3", "uploads")
    foreign = store.collection("sqs", "objects")
    for scope in (A, B, A_WEST, GLOBAL):
        objects.put(scope, "k", {"scope": list(scope)})
    other.put(A, "k", {"other": True})
    foreign.put(A, "k", {"foreign": True})

    assert objects.get(B, "k") == {"scope": list(B)}
    assert objects.get(GLOBAL, "k") == {"scope": list(GLOBAL)}
    assert objects.count(A) == 1
    assert objects.delete_prefix(A, "") == 1
    assert objects.get(A, "k") is None
    assert objects.get(A_WEST, "k") == {"scope": list(A_WEST)}
    assert other.get(A, "k") == {"other": True}
    assert foreign.get(A, "k") == {"foreign": True}
    assert objects.scopes() == sorted([B, A_WEST, GLOBAL])


def test_scan_is_in_utf8_byte_order(store: SqliteStore) -> None:
    coll = store.collection("s3", "objects")
    for k in AWKWARD_KEYS:
        coll.put(A, k, {"k": k})
    expected = utf8_sorted(AWKWARD_KEYS)
    assert expected[:5] == ["", "\x00", "a", "a\x00b", "a/b"]  # the order the test relies on
    assert [k for k, _ in coll.scan(A)] == expected
    assert [k for k, _ in coll.scan(A, reverse=True)] == expected[::-1]
    assert all(doc == {"k": k} for k, doc in coll.scan(A))


def test_scan_prefix_start_after_limit_reverse(store: SqliteStore) -> None:
    coll = store.collection("s3", "objects")
    keys = ["a", "a/1", "a/2", "a/3", "a0", "b/1", "é/1", "é/2"]
    for k in keys:
        coll.put(A, k, {})
    scan = lambda **kw: [k for k, _ in coll.scan(A, **kw)]  # noqa: E731
    assert scan(prefix="a/") == ["a/1", "a/2", "a/3"]
    assert scan(prefix="a") == ["a", "a/1", "a/2", "a/3", "a0"]
    assert scan(prefix="é/") == ["é/1", "é/2"]
    assert scan(prefix="a/", start_after="a/1") == ["a/2", "a/3"]
    assert scan(prefix="a/", start_after="a/1", limit=1) == ["a/2"]
    assert scan(prefix="a/", start_after="0") == ["a/1", "a/2", "a/3"]  # before the prefix
    assert scan(prefix="a/", start_after="z") == []  # after it
    assert scan(prefix="a/", reverse=True) == ["a/3", "a/2", "a/1"]
    assert scan(prefix="a/", start_after="a/3", reverse=True) == ["a/2", "a/1"]
    assert scan(prefix="a/", start_after="z", reverse=True, limit=2) == ["a/3", "a/2"]
    assert scan(start_after="a0") == ["b/1", "é/1", "é/2"]
    assert scan(start_after="", reverse=True) == []
    assert scan(limit=0) == []
    assert scan(prefix="nothing") == []
    with pytest.raises(ValueError):
        scan(limit=-1)


def test_count_and_delete_prefix(store: SqliteStore) -> None:
    coll = store.collection("s3", "objects")
    for k in ["p/1", "p/2", "p/3", "p0", "q"]:
        coll.put(A, k, {})
        coll.put(B, k, {})
    assert coll.count(A) == 5
    assert coll.count(A, "p/") == 3
    assert coll.count(A, "x") == 0
    assert coll.delete_prefix(A, "p/") == 3
    assert [k for k, _ in coll.scan(A)] == ["p0", "q"]
    assert coll.count(B) == 5
    assert coll.delete_prefix(A, "p/") == 0


def test_scopes_lists_every_scope_with_documents(store: SqliteStore) -> None:
    coll = store.collection("lambda", "functions")
    assert coll.scopes() == []
    for scope in (B, A_WEST, A, GLOBAL, ("222222222222", "ap-south-1")):
        for i in range(3):
            coll.put(scope, f"f{i}", {})
    store.collection("lambda", "layers").put(("999999999999", "x"), "l", {})
    assert coll.scopes() == sorted([A, B, A_WEST, GLOBAL, ("222222222222", "ap-south-1")])
    coll.delete_prefix(B, "")
    assert B not in coll.scopes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.lists(
        st.text(st.sampled_from("a/0é\U0001f600\U0010ffff\ud7ff\ue000\x00"), max_size=4), max_size=12
    ),
    prefix=st.text(st.sampled_from("a/é\U0010ffff\ud7ff"), max_size=2),
    start_after=st.none() | st.text(st.sampled_from("a/0é\U0010ffff"), max_size=3),
    limit=st.none() | st.integers(0, 5),
    reverse=st.booleans(),
)
def test_scan_matches_a_model(
    store: SqliteStore,
    keys: list[str],
    prefix: str,
    start_after: str | None,
    limit: int | None,
    reverse: bool,
) -> None:
    coll = store.collection("test", "model")
    coll.delete_prefix(A, "")
    for k in keys:
        coll.put(A, k, {"k": k})
    # Python compares str by code point, which is UTF-8 byte order.
    expected = sorted(k for k in set(keys) if k.startswith(prefix))
    if start_after is not None:
        expected = [k for k in expected if (k < start_after if reverse else k > start_after)]
    if reverse:
        expected.reverse()
    expected = expected[:limit] if limit is not None else expected
    assert [k for k, _ in coll.scan(A, prefix, start_after, limit, reverse)] == expected
    assert coll.count(A, prefix) == len([k for k in set(keys) if k.startswith(prefix)])


def test_prefix_end() -> None:
    assert prefix_end("a") == "b"
    assert prefix_end("a/") == "a0"
    assert prefix_end("a\U0010ffff") == "b"
    assert prefix_end("\U0010ffff") is None
    assert prefix_end("\ud7ff") == "\ue000"  # surrogates can never be stored, so skip them


def test_scans_are_index_range_searches(store: SqliteStore) -> None:
    coll = store.collection("s3", "objects")
    for i in range(50):
        coll.put(A, f"p/{i:03d}", {})
    executed: list[str] = []
    store._conn.set_trace_callback(executed.append)
    try:
        coll.scan(A)
        coll.scan(A, prefix="p/", start_after="p/010", limit=5)
        coll.scan(A, prefix="p/", start_after="p/010", limit=5, reverse=True)
        coll.scan(A, prefix="p/", start_after="a")
        coll.count(A, "p/")
        coll.delete_prefix(A, "p/04")
        coll.scopes()
    finally:
        store._conn.set_trace_callback(None)
    assert len(executed) >= 7
    for sql in executed:
        assert "LIKE" not in sql.upper()
        assert sql.count("key >") <= 1, f"two lower bounds in {sql}"
        plan = " | ".join(r[3] for r in store._conn.execute("EXPLAIN QUERY PLAN " + sql))
        assert plan.startswith(("SEARCH documents USING INDEX documents_key", "SEARCH documents USING COVERING INDEX documents_key")), plan
        assert "TEMP B-TREE" not in plan and "SCAN" not in plan, plan


# The child writes inside an outer transaction, after an inner one has exited, then says so and
# waits to be killed; with argv[2] == "finish" it leaves the outer one first and exits unclosed.
NESTED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from pocketcloud.store.sqlite import SqliteStore

    store = SqliteStore.open(Path(sys.argv[1]))
    coll = store.collection("t", "c")
    scope = ("000000000000", "us-east-1")
    with store.transaction():
        coll.put(scope, "outer", {})
        with store.transaction():
            coll.put(scope, "inner", {})
        if sys.argv[2] != "finish":
            print("inner done", flush=True)
            time.sleep(60)
    print("outer done", flush=True)
    os._exit(0)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("finish", [False, True], ids=["killed-inside-outer", "outer-exited"])
def test_transaction_commits_at_outermost_exit(tmp_path: Path, finish: bool) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", NESTED_WRITER, str(tmp_path), "finish" if finish else "hold"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline()
    assert line.strip() == ("outer done" if finish else "inner done"), proc.stderr.read()
    if not finish:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with SqliteStore.open(tmp_path) as store:
        keys = [key for key, _ in store.iter_collection("t", "c", A)]
    assert keys == (["inner", "outer"] if finish else [])


def test_a_second_opener_of_a_data_dir_is_refused(tmp_path: Path) -> None:
    # Two servers on one data directory would each trust their own in-memory indexes: the first
    # holds the database's lock until it closes, and the second is refused at once (it does not
    # wait out the busy timeout for a lock that is never let go).
    with SqliteStore.open(tmp_path) as first:
        first.collection("t", "c").put(A, "k", {"v": 1})
        with pytest.raises(StoreInUse, match="in use by another process"):
            SqliteStore.open(tmp_path)
        assert first.collection("t", "c").get(A, "k") == {"v": 1}
    with SqliteStore.open(tmp_path) as second:
        assert second.collection("t", "c").get(A, "k") == {"v": 1}


def test_in_use_tells_a_held_data_dir_without_waiting(tmp_path: Path) -> None:
    assert not in_use(tmp_path / "never-created")
    with SqliteStore.open(tmp_path) as store:
        store.collection("t", "c").put(A, "k", {})
        assert in_use(tmp_path)  # no busy wait: the probe's timeout is 0
    assert not in_use(tmp_path)


def test_exception_rolls_back_the_transaction(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    coll.put(A, "kept", {"v": 1})
    with pytest.raises(RuntimeError), store.transaction():
        coll.put(A, "kept", {"v": 2})
        coll.put(A, "new", {})
        with store.transaction():
            coll.put(A, "inner", {})
        raise RuntimeError
    assert coll.get(A, "kept") == {"v": 1}
    assert coll.get(A, "new") is None and coll.get(A, "inner") is None


def test_inner_failure_caught_by_outer_undoes_only_the_inner_block(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    with store.transaction():
        coll.put(A, "before", {})
        try:
            with store.transaction():
                coll.put(A, "inner", {})
                raise KeyError
        except KeyError:
            pass
        coll.put(A, "after", {})
    assert [k for k, _ in coll.scan(A)] == ["after", "before"]


def test_a_bad_document_writes_nothing(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    with pytest.raises(TypeError):
        coll.put(A, "k", {"raw": b"bytes"})
    with pytest.raises(TypeError):
        coll.put(A, 7, {})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        coll.insert(A, "k", ["not", "a", "dict"])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        coll.put(A, "lone \ud800 surrogate", {})
    assert coll.count(A) == 0


def test_documents_encode_datetimes_as_iso8601(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.UTC)
    coll.put(A, "k", {"at": when, "day": dt.date(2024, 5, 6), "odd": "\ud800", "n": 1.5, "none": None})
    assert coll.get(A, "k") == {
        "at": "2024-05-06T07:08:09.123000+00:00",
        "day": "2024-05-06",
        "odd": "\ud800",
        "n": 1.5,
        "none": None,
    }


def test_another_thread_waits_for_an_open_transaction(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    results: list[object] = []

    def meanwhile() -> None:
        coll.put(A, "theirs", {})
        results.append(coll.get(A, "mine"))

    other = threading.Thread(target=meanwhile)
    with pytest.raises(RuntimeError), store.transaction():
        coll.put(A, "mine", {})
        other.start()
        other.join(0.2)
        assert other.is_alive()  # blocked: it must neither see nor join our writes
        raise RuntimeError
    other.join()
    assert results == [None]
    assert coll.get(A, "theirs") == {}  # not swept away by our rollback


def test_transactions_from_many_threads_are_serialized(store: SqliteStore) -> None:
    coll = store.collection("t", "counter")
    coll.put(A, "n", {"n": 0})

    def bump() -> None:
        for _ in range(100):
            with store.transaction():
                doc = coll.get(A, "n")
                assert doc is not None
                coll.put(A, "n", {"n": doc["n"] + 1})

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert coll.get(A, "n") == {"n": 600}


@pytest.mark.parametrize("returning", [True, False], ids=["returning", "sqlite-before-3.35"])
def test_next_sequence_counts_per_name_and_survives_reopen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, returning: bool
) -> None:
    monkeypatch.setattr("pocketcloud.store.sqlite._HAS_RETURNING", returning)
    with SqliteStore.open(tmp_path) as s:
        assert [s.next_sequence("a") for _ in range(3)] == [1, 2, 3]
        assert s.next_sequence("b") == 1
        with s.transaction():
            assert s.next_sequence("a") == 4
    with SqliteStore.open(tmp_path) as s:
        assert s.next_sequence("a") == 5
        assert s.next_sequence("b") == 2


def test_next_sequence_never_repeats_across_threads(store: SqliteStore) -> None:
    got: list[int] = []
    lock = threading.Lock()

    def take() -> None:
        mine = [store.next_sequence("ids") for _ in range(200)]
        with lock:
            got.extend(mine)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == list(range(1, 801))


def test_state_survives_close_and_reopen(tmp_path: Path) -> None:
    s = SqliteStore.open(tmp_path)
    s.collection("iam", "users").put(GLOBAL, "alice", {"UserName": "alice"})
    w = s.blobs.writer()
    w.write(b"payload")
    blob_id = w.commit()
    s.close()
    s.close()  # idempotent
    with SqliteStore.open(tmp_path) as s:
        assert s.collection("iam", "users").get(GLOBAL, "alice") == {"UserName": "alice"}
        with s.blobs.open(blob_id) as f:
            assert f.read() == b"payload"
        assert s.integrity_check() == ["ok"]
    assert (tmp_path / "state.db").is_file()


def test_ephemeral_store_lives_in_a_temporary_directory_removed_on_close() -> None:
    s = open_store(None)
    assert isinstance(s, SqliteStore) and s.ephemeral
    s.collection("t", "c").put(A, "k", {})
    data_dir = s.data_dir
    assert (data_dir / "state.db").is_file()
    s.close()
    assert not data_dir.exists()
    s.close()


@pytest.mark.parametrize(("durability", "synchronous"), [("normal", 1), ("full", 2), ("off", 0)])
def test_wal_mode_and_durability(tmp_path: Path, durability: str, synchronous: int) -> None:
    with SqliteStore.open(tmp_path, durability=durability) as s:  # type: ignore[arg-type]
        assert s._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s._conn.execute("PRAGMA synchronous").fetchone()[0] == synchronous
        assert s._conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
    with pytest.raises(ValueError):
        SqliteStore.open(tmp_path, durability="sometimes")  # type: ignore[arg-type]


def test_an_ephemeral_store_journals_in_memory() -> None:
    with SqliteStore.open(None) as s:
        assert s._conn.execute("PRAGMA journal_mode").fetchone()[0] == "memory"
        assert s._conn.execute("PRAGMA synchronous").fetchone()[0] == 0


def test_reset_forgets_documents_sequences_and_blobs(store: SqliteStore) -> None:
    store.collection("t", "c").put(A, "k", {})
    store.next_sequence("s")
    w = store.blobs.writer()
    w.write(b"x")
    blob_id = w.commit()
    store.reset()
    assert store.collection("t", "c").get(A, "k") is None
    assert store.collection("t", "c").scopes() == []
    assert store.next_sequence("s") == 1
    assert not store.blobs.path(blob_id).exists()
    assert list(store.blobs.ids()) == []


def test_iter_collection_pages_through_everything(store: SqliteStore) -> None:
    coll = store.collection("t", "c")
    with store.transaction():
        for i in range(1234):
            coll.put(A, f"{i:05d}", {"i": i})
    assert [doc["i"] for _, doc in store.iter_collection("t", "c", A)] == list(range(1234))


def test_put_many_creates_and_replaces_in_order(store: SqliteStore) -> None:
    coll = store.collection("t", "many")
    coll.put(A, "b", {"old": True})
    coll.put_many(A, [("a", {"n": 1}), ("b", {"n": 2}), ("a", {"n": 3})])
    assert coll.scan(A) == [("a", {"n": 3}), ("b", {"n": 2})]


def test_put_many_refuses_bytes_and_writes_nothing(store: SqliteStore) -> None:
    coll = store.collection("t", "many-bad")
    with pytest.raises(TypeError):
        coll.put_many(A, [("a", {"n": 1}), ("b", {"raw": b"x"})])
    assert coll.scan(A) == []


def test_delete_many_deletes_the_keys_named_and_counts_them(store: SqliteStore) -> None:
    coll = store.collection("t", "gone")
    coll.put_many(A, [("a", {}), ("b", {}), ("c", {})])
    assert coll.delete_many(A, ["a", "c", "missing"]) == 2
    assert [key for key, _ in coll.scan(A)] == ["b"]


def test_a_key_that_is_no_unicode_text_names_nothing_and_cannot_be_written(store: SqliteStore) -> None:
    # A JSON request may carry a lone surrogate ("\ud800"); SQLite cannot hold one.
    streams = store.collection("logs", "streams")
    streams.put(A, "s1", {"v": 1})
    lone = "s\ud800"
    assert streams.get(A, lone) is None
    assert streams.get_with_blob(A, lone, "Blob") == (None, None)
    assert streams.scan(A, prefix=lone) == []
    assert streams.scan(A, start_after=lone) == []
    assert streams.scan_fields(A, ("v",), prefix=lone) == []
    assert streams.count(A, lone) == 0
    assert streams.delete(A, lone) is False
    assert streams.delete_many(A, [lone, "s1"]) == 1
    assert streams.get(("\ud800", ""), "s1") is None
    for write in (
        lambda: streams.put(A, lone, {"v": 2}),
        lambda: streams.insert(A, lone, {"v": 2}),
        lambda: streams.put_many(A, [(lone, {"v": 2})]),
        lambda: streams.put(("\ud800", ""), "s2", {"v": 2}),
    ):
        with pytest.raises(UnusableKey):
            write()
    assert streams.scan(A) == []
