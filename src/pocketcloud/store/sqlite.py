"""The embedded store: every collection in one SQLite database, `<data_dir>/state.db`.

One connection, shared by every thread and guarded by one re-entrant lock; in
WAL mode with a data directory, with a rollback journal in memory when
ephemeral (the database dies with the process, so only a failed transaction
needs undoing, never a crash). It holds the database file's lock until it closes (SQLite's
exclusive locking mode): no other process opens the database meanwhile, and
transactions take no file locks of their own. A call outside a transaction takes the lock for one statement
and autocommits; `transaction()` holds the lock from BEGIN to COMMIT, so other
threads wait for it and never see or join its writes half-done. The caveat is
for asyncio code: the lock belongs to a *thread*, so never `await` inside a
transaction — another task on the loop thread would walk straight into it.

Durability (keyword `durability=` of `SqliteStore.open`):

- "normal" (default with a data dir): synchronous=NORMAL. A committed write
  survives the process being killed (kill -9, OOM, crash); an OS crash or power
  cut may lose the last few commits but never corrupts the database.
- "full": synchronous=FULL (+ F_FULLFSYNC on macOS); every commit is fsync'd,
  so it also survives power loss. Costs an fsync per commit.
- "off" (default when ephemeral): no fsync at all; the data is thrown away on
  close anyway. Still safe against a process kill.

Small blobs (S3 bodies) are raw BLOB rows of the `blobs` table (`SqliteInlineBlobs`), written
in the caller's transaction. Documents are stored as compact JSON text (see `store/codec.py`: datetimes
become ISO-8601 strings, bytes are refused with TypeError). A collection that
keeps fields (`keep_fields`: S3's objects keep what a listing shows) also
writes those few values beside each document, in the `fields` column, and
`scan_fields` reads them from there instead of decoding whole documents.

Keys must be str and valid Unicode (a lone surrogate cannot be UTF-8 encoded
and raises ValueError). They sort in UTF-8 byte order, which is code point
order, i.e. the order of Python's own str comparison.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import orjson

from pocketcloud.store import Collection, Document, Scope, Store, UnusableKey, is_text
from pocketcloud.store.blobs import FileBlobStore
from pocketcloud.store.codec import dumps as _dumps
from pocketcloud.store.codec import loads as _loads
from pocketcloud.store.schema import (
    BLOB_CLEAR,
    BLOB_DELETE,
    BLOB_GET,
    BLOB_IDS,
    BLOB_PUT,
    BLOB_SIZE,
    COUNT,
    DELETE,
    DELETE_RANGE,
    FIRST_SCOPE,
    GET,
    GET_SEQUENCE,
    GET_WITH_BLOB,
    INSERT,
    NEXT_ACCOUNT,
    NEXT_REGION,
    NEXT_SEQUENCE,
    NEXT_SEQUENCE_RETURNING,
    PUT,
    SCAN,
    SCAN_KEPT,
    migrate,
    prefix_end,
)

log = logging.getLogger(__name__)

Durability = Literal["off", "normal", "full"]
_SYNCHRONOUS = {"off": "OFF", "normal": "NORMAL", "full": "FULL"}
BUSY_TIMEOUT_MS = 10_000
DB_NAME = "state.db"
MIN_SQLITE = (3, 24, 0)  # INSERT ... ON CONFLICT
# RETURNING makes next_sequence's bump-and-read one atomic statement; older
# libraries (some LTS distributions' system SQLite) need a transaction around two.
_HAS_RETURNING = sqlite3.sqlite_version_info >= (3, 35, 0)


_FIELD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCAN_FIELDS: dict[tuple[tuple[int, bool, bool], int], str] = {}
_JSON_EXTRACT = [True]  # cleared if this SQLite has no json_extract


def _json_path(field: str) -> str:
    if _FIELD.fullmatch(field) is None:
        raise ValueError(f"not a field name: {field!r}")
    return "$." + field


def _check_write(scope: Scope, key: str, doc: Document) -> None:
    # A non-str key would be stored as INTEGER/REAL and sort apart from every
    # text key; refuse it rather than corrupt the ordering.
    if type(key) is not str:
        raise TypeError(f"document key must be str, not {type(key).__name__}")
    if not isinstance(doc, dict):
        raise TypeError(f"document must be a dict, not {type(doc).__name__}")
    if not _usable(scope, key):
        raise UnusableKey(key)


def _usable(scope: Scope, text: str | None) -> bool:
    """Whether a scope and a key, prefix or cursor can be looked up at all (SQLite takes only Unicode
    text): a lookup of anything else finds nothing, as a lookup of a key never written would."""
    account, region = scope
    if account.isascii() and region.isascii() and (text is None or text.isascii()):
        return True
    return is_text(account) and is_text(region) and (text is None or is_text(text))


class SqliteCollection(Collection):
    """One (service, collection) of a SqliteStore."""

    __slots__ = ("_service", "_name", "_cur", "_lock", "_kept", "_kept_head")

    def __init__(self, store: SqliteStore, service: str, name: str) -> None:
        self._service = service
        self._name = name
        # The store's one cursor, reused under the lock: saves creating a
        # cursor object per call, and executing on it resets the previous
        # statement, so no half-read SELECT lingers holding a read snapshot.
        self._cur = store._cursor
        self._lock = store._lock
        self._kept: tuple[str, ...] | None = None
        self._kept_head = ""

    def keep_fields(self, fields: tuple[str, ...]) -> None:
        # Kept in the `fields` column as "<names>|<JSON array of the values>": a row written
        # under another list of names (an older version) is told apart and read in full.
        for field in fields:
            _json_path(field)  # a plain name
        self._kept = tuple(fields)
        self._kept_head = ",".join(fields) + "|"

    def _kept_text(self, doc: Document) -> str | None:
        kept = self._kept
        if kept is None:
            return None
        return self._kept_head + _dumps([doc.get(f) for f in kept])

    def __repr__(self) -> str:
        return f"<SqliteCollection {self._service}/{self._name}>"

    def get(self, scope: Scope, key: str) -> Document | None:
        if not _usable(scope, key):
            return None
        with self._lock:
            row = self._cur.execute(GET, (self._service, self._name, scope[0], scope[1], key)).fetchone()
        return None if row is None else _loads(row[0])

    def get_with_blob(self, scope: Scope, key: str, field: str) -> tuple[Document | None, bytes | None]:
        if not _usable(scope, key):
            return None, None
        if not _JSON_EXTRACT[0]:
            return super().get_with_blob(scope, key, field)
        params = (_json_path(field), self._service, self._name, scope[0], scope[1], key)
        try:
            with self._lock:
                row = self._cur.execute(GET_WITH_BLOB, params).fetchone()
        except sqlite3.OperationalError as exc:
            if "json_extract" not in str(exc):
                raise
            _JSON_EXTRACT[0] = False  # an SQLite built without JSON1
            return super().get_with_blob(scope, key, field)
        if row is None:
            return None, None
        return _loads(row[0]), (None if row[1] is None else bytes(row[1]))

    def put(self, scope: Scope, key: str, doc: Document) -> None:
        _check_write(scope, key, doc)
        text = _dumps(doc)
        kept = self._kept_text(doc)
        with self._lock:
            self._cur.execute(PUT, (self._service, self._name, scope[0], scope[1], key, text, kept))

    def put_many(self, scope: Scope, items: Sequence[tuple[str, Document]]) -> None:
        head = (self._service, self._name, scope[0], scope[1])
        rows = []
        for key, doc in items:
            _check_write(scope, key, doc)
            rows.append((*head, key, _dumps(doc), self._kept_text(doc)))
        with self._lock:
            self._cur.executemany(PUT, rows)

    def put_twin(self, scope: Scope, key: str, doc: Document, twin: Collection, twin_key: str) -> None:
        if not isinstance(twin, SqliteCollection) or twin._cur is not self._cur:
            return super().put_twin(scope, key, doc, twin, twin_key)
        _check_write(scope, key, doc)
        _check_write(scope, twin_key, doc)
        text = _dumps(doc)  # once for both rows; the kept fields differ per collection
        with self._lock:
            self._cur.execute(
                PUT, (self._service, self._name, scope[0], scope[1], key, text, self._kept_text(doc))
            )
            self._cur.execute(
                PUT, (twin._service, twin._name, scope[0], scope[1], twin_key, text, twin._kept_text(doc))
            )

    def insert(self, scope: Scope, key: str, doc: Document) -> bool:
        _check_write(scope, key, doc)
        text = _dumps(doc)
        kept = self._kept_text(doc)
        with self._lock:
            cur = self._cur.execute(INSERT, (self._service, self._name, scope[0], scope[1], key, text, kept))
            return cur.rowcount == 1

    def delete(self, scope: Scope, key: str) -> bool:
        if not _usable(scope, key):
            return False
        with self._lock:
            cur = self._cur.execute(DELETE, (self._service, self._name, scope[0], scope[1], key))
            return cur.rowcount > 0

    def delete_many(self, scope: Scope, keys: Sequence[str]) -> int:
        keys = [key for key in keys if _usable(scope, key)]
        head = (self._service, self._name, scope[0], scope[1])
        with self._lock:
            cur = self._cur.executemany(DELETE, [(*head, key) for key in keys])
            return max(cur.rowcount, 0)

    def scan(
        self,
        scope: Scope,
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
        reverse: bool = False,
    ) -> list[tuple[str, Document]]:
        if not (_usable(scope, prefix) and _usable(scope, start_after)):
            return []
        if limit is None:
            limit = -1  # SQLite: a negative LIMIT means none
        elif limit <= 0:
            if limit < 0:
                raise ValueError("limit must not be negative")
            return []
        lower: str | None = prefix or None
        lower_kind = 1 if prefix else 0
        upper = prefix_end(prefix) if prefix else None
        # Fold start_after into whichever bound it tightens, so the query keeps
        # exactly one range: the page then starts with a seek, not a walk.
        if start_after is not None:
            if reverse:
                if upper is None or start_after < upper:
                    upper = start_after
            elif lower is None or start_after >= lower:
                lower, lower_kind = start_after, 2
        params: list[Any] = [self._service, self._name, scope[0], scope[1]]
        if lower_kind:
            params.append(lower)
        if upper is not None:
            params.append(upper)
        params.append(limit)
        sql = SCAN[lower_kind, upper is not None, reverse]
        with self._lock:
            rows = self._cur.execute(sql, params).fetchall()
        return [(k, _loads(d)) for k, d in rows]

    def scan_fields(
        self,
        scope: Scope,
        fields: tuple[str, ...],
        prefix: str = "",
        start_after: str | None = None,
        limit: int | None = None,
    ) -> list[tuple[str, Sequence[Any]]]:
        # Kept fields are a short JSON array beside the document; otherwise SQLite's
        # json_extract picks the fields out in C. Either costs a fraction of decoding the
        # whole document (a listing reads a thousand of them per page).
        if not (_usable(scope, prefix) and _usable(scope, start_after)):
            return []
        kept = fields == self._kept
        if not fields or limit == 0 or not (kept or _JSON_EXTRACT[0]):
            return super().scan_fields(scope, fields, prefix, start_after, limit)
        leading: tuple[Any, ...] = ()  # the parameters the SELECT clause takes
        if not kept:
            leading = tuple(_json_path(f) for f in fields)
            if len(leading) == 1:
                leading += leading  # one path would return the bare value, not an array
        if limit is None:
            limit = -1
        elif limit < 0:
            raise ValueError("limit must not be negative")
        lower: str | None = prefix or None
        lower_kind = 1 if prefix else 0
        upper = prefix_end(prefix) if prefix else None
        if start_after is not None and (lower is None or start_after >= lower):
            lower, lower_kind = start_after, 2
        params: list[Any] = [*leading, self._service, self._name, scope[0], scope[1]]
        if lower_kind:
            params.append(lower)
        if upper is not None:
            params.append(upper)
        params.append(limit)
        shape = (lower_kind, upper is not None, False)
        if kept:
            with self._lock:
                rows = self._cur.execute(SCAN_KEPT[shape], params).fetchall()
            return self._kept_rows(scope, fields, rows)
        sql = _SCAN_FIELDS.get((shape, len(leading)))
        if sql is None:
            select = "SELECT key, json_extract(doc" + ", ?" * len(leading) + ")"
            sql = _SCAN_FIELDS[(shape, len(leading))] = SCAN[shape].replace("SELECT key, doc", select, 1)
        try:
            with self._lock:
                rows = self._cur.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            if "json_extract" not in str(exc):
                raise
            _JSON_EXTRACT[0] = False  # an SQLite built without JSON1: decode whole documents instead
            return super().scan_fields(scope, fields, prefix, start_after, limit if limit >= 0 else None)
        n = len(fields)
        return [(k, _loads(v)[:n]) for k, v in rows]

    def _kept_rows(
        self, scope: Scope, fields: tuple[str, ...], rows: list[tuple[str, str | None, str | None]]
    ) -> list[tuple[str, Sequence[Any]]]:
        """(key, kept values) of scanned rows. When every row kept the same fields, their arrays are
        joined and decoded in one call: a page has up to a thousand rows, and one decode of the
        whole page costs a fraction of a thousand calls."""
        head = self._kept_head
        start = len(head)
        texts = [text[start:] if text is not None and text.startswith(head) else None for _, text, _ in rows]
        if None not in texts:
            try:
                values = orjson.loads(f"[{','.join(texts)}]")  # type: ignore[arg-type]
                return list(zip([k for k, _, _ in rows], values, strict=True))
            except ValueError:
                pass  # text only json reads (codec.py): row by row below
        return [
            (k, _loads(text) if text is not None else self._fields_of(scope, k, fields, doc))
            for (k, _, doc), text in zip(rows, texts, strict=True)
        ]

    def _fields_of(self, scope: Scope, key: str, fields: tuple[str, ...], text: str | None) -> list[Any]:
        """The fields of a document written before any were kept (its `text` at hand), or kept
        under other names (read again)."""
        doc = _loads(text) if text is not None else self.get(scope, key) or {}
        return [doc.get(f) for f in fields]

    def _range(self, scope: Scope, prefix: str) -> tuple[tuple[int, bool], list[Any]]:
        params: list[Any] = [self._service, self._name, scope[0], scope[1]]
        if not prefix:
            return (0, False), params
        params.append(prefix)
        upper = prefix_end(prefix)
        if upper is None:
            return (1, False), params
        params.append(upper)
        return (1, True), params

    def count(self, scope: Scope, prefix: str = "") -> int:
        if not _usable(scope, prefix):
            return 0
        shape, params = self._range(scope, prefix)
        with self._lock:
            row = self._cur.execute(COUNT[shape], params).fetchone()
        return int(row[0])

    def delete_prefix(self, scope: Scope, prefix: str) -> int:
        if not _usable(scope, prefix):
            return 0
        shape, params = self._range(scope, prefix)
        with self._lock:
            return self._cur.execute(DELETE_RANGE[shape], params).rowcount

    def scopes(self) -> list[Scope]:
        found: list[Scope] = []
        svc, name = self._service, self._name
        with self._lock:
            execute = self._cur.execute
            row = execute(FIRST_SCOPE, (svc, name)).fetchone()
            while row is not None:
                account, region = row
                found.append((account, region))
                nxt = execute(NEXT_REGION, (svc, name, account, region)).fetchone()
                row = (
                    (account, nxt[0])
                    if nxt is not None
                    else execute(NEXT_ACCOUNT, (svc, name, account)).fetchone()
                )
        return found


class SqliteInlineBlobs:
    """The `blobs` table: small blobs as raw BLOB rows (store/blobs.py's InlineRows), written in
    whatever transaction is open, so a body commits with the metadata that points at it."""

    __slots__ = ("_cur", "_lock")

    def __init__(self, store: SqliteStore) -> None:
        self._cur = store._cursor
        self._lock = store._lock

    def get(self, blob_id: str) -> bytes | None:
        with self._lock:
            row = self._cur.execute(BLOB_GET, (blob_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def size(self, blob_id: str) -> int | None:
        with self._lock:
            row = self._cur.execute(BLOB_SIZE, (blob_id,)).fetchone()
        return None if row is None else int(row[0])

    def put(self, blob_id: str, data: bytes | bytearray) -> None:
        with self._lock:
            self._cur.execute(BLOB_PUT, (blob_id, data))

    def delete(self, blob_id: str) -> None:
        with self._lock:
            self._cur.execute(BLOB_DELETE, (blob_id,))

    def ids(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._cur.execute(BLOB_IDS).fetchall()]

    def clear(self) -> None:
        with self._lock:
            self._cur.execute(BLOB_CLEAR)


class _Transaction:
    """The context manager behind SqliteStore.transaction(); one per store.

    Its state lives in the store and is only touched with the lock held, so a
    single instance serves every thread and every nesting level. The outermost
    block is BEGIN IMMEDIATE ... COMMIT; inner blocks are savepoints, so an
    inner block that raises undoes its own writes, and if the outer block
    catches the exception, the outer block's writes still commit.
    """

    __slots__ = ("_store",)

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    def __enter__(self) -> None:
        s = self._store
        s._lock.acquire()
        try:
            if s._depth == 0:
                s._cursor.execute("BEGIN IMMEDIATE")
            else:
                s._cursor.execute(f"SAVEPOINT sp{s._depth}")
            s._depth += 1
        except BaseException:
            s._lock.release()
            raise

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        s = self._store
        conn, cur = s._conn, s._cursor
        try:
            s._depth -= 1
            depth = s._depth
            if not conn.in_transaction:
                # SQLite rolled the whole transaction back on its own (e.g. disk
                # full); committing what follows piecemeal would be worse.
                if exc_type is None:
                    raise sqlite3.OperationalError("transaction was rolled back by SQLite")
            elif depth == 0:
                if exc_type is None:
                    try:
                        cur.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            cur.execute("ROLLBACK")
                        raise
                else:
                    cur.execute("ROLLBACK")
            elif exc_type is None:
                cur.execute(f"RELEASE sp{depth}")
            else:
                cur.execute(f"ROLLBACK TO sp{depth}")
                cur.execute(f"RELEASE sp{depth}")
        finally:
            s._lock.release()


class StoreInUse(RuntimeError):
    """The database is open in another process, which holds its lock."""


def in_use(data_dir: Path) -> bool:
    """Whether a process (a server) holds the lock of `data_dir`'s database, asked without waiting
    and without opening the store (`pocketcloud reset` asks it before deleting the directory)."""
    path = Path(data_dir) / DB_NAME
    if not path.exists():
        return False
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:  # also "file is not a database": not in use, deletable
        return "locked" in str(error)
    finally:
        conn.close()
    return False


class SqliteStore(Store):
    """The embedded store. Create with `SqliteStore.open(data_dir)`."""

    def __init__(
        self, conn: sqlite3.Connection, data_dir: Path, *, ephemeral: bool, durability: Durability
    ) -> None:
        self._conn = conn
        self._cursor = conn.cursor()
        self._lock = threading.RLock()
        self._depth = 0  # transaction nesting, guarded by _lock
        self._data_dir = data_dir
        self._ephemeral = ephemeral
        self._closed = False
        self._collections: dict[tuple[str, str], SqliteCollection] = {}
        self._transaction = _Transaction(self)
        self.durability: Durability = durability
        # Small blobs (S3 bodies) may live in this database, committed with their metadata.
        self.blobs: FileBlobStore = FileBlobStore(
            data_dir / "blobs", durability=durability, inline=SqliteInlineBlobs(self)
        )

    @classmethod
    def open(cls, data_dir: Path | None, *, durability: Durability | None = None) -> SqliteStore:
        """Open (creating if needed) the store in `data_dir`; None: a fresh temporary
        directory, deleted on close(). `durability` defaults to "normal", or "off"
        when ephemeral; see the module docstring."""
        ephemeral = data_dir is None
        if data_dir is None:
            data_dir = Path(tempfile.mkdtemp(prefix="pocketcloud-"))
        else:
            # Credentials and secrets live here: keep new directories private.
            data_dir = Path(data_dir).expanduser()
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if durability is None:
            durability = "off" if ephemeral else "normal"
        if durability not in _SYNCHRONOUS:
            raise ValueError(f"durability must be 'off', 'normal' or 'full', not {durability!r}")
        try:
            conn = cls._connect(data_dir / DB_NAME, durability, ephemeral=ephemeral)
            try:
                return cls(conn, data_dir, ephemeral=ephemeral, durability=durability)
            except BaseException:
                conn.close()
                raise
        except BaseException:
            if ephemeral:
                shutil.rmtree(data_dir, ignore_errors=True)
            raise

    @staticmethod
    def _connect(path: Path, durability: Durability, *, ephemeral: bool = False) -> sqlite3.Connection:
        # isolation_level=None: the sqlite3 module must not open transactions
        # behind our back; we issue BEGIN/COMMIT ourselves. check_same_thread
        # is off because the RLock, not the thread, guards the connection.
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise RuntimeError(
                f"pocketcloud needs SQLite >= 3.24 (upsert), this Python has {sqlite3.sqlite_version}"
            )
        # timeout=0 until the lock is ours: a database another server holds is refused at once
        # (StoreInUse), not after the busy timeout's 10 s of waiting for a lock it will not let go.
        conn = sqlite3.connect(path, timeout=0, isolation_level=None, check_same_thread=False, cached_statements=256)
        try:
            # The server is the database's only user: it holds the file's lock from the first read to
            # close, and keeps WAL's index in its own memory. Without this, every transaction took and
            # released SQLite's file locks, six fcntl calls per SQS call (~0.04 ms of CPU per message
            # sent, received and deleted), and a second server could open the same data directory.
            # Set before the first read, so that WAL mode starts without its shared-memory file.
            conn.execute("PRAGMA locking_mode = EXCLUSIVE")
            # An ephemeral database dies with the process, so nothing needs to survive a crash in
            # the middle of a commit: a rollback journal in memory still undoes a failed transaction,
            # and a commit writes each changed page once, to the database file. WAL wrote each page
            # and a frame header to the log, then copied it at checkpoints (S3's 1 KiB PUT: ~24
            # pwrite calls; in memory ~7; 20 µs less CPU a commit).
            journal = "MEMORY" if ephemeral else "WAL"
            try:
                mode = conn.execute(f"PRAGMA journal_mode = {journal}").fetchone()[0]
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                raise StoreInUse(f"{path} is in use by another process (another pocketcloud server?)") from error
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS:d}")
            if str(mode).lower() != journal.lower():
                log.warning("SQLite refused %s journal mode for %s (got %r)", journal, path, mode)
            conn.execute(f"PRAGMA synchronous = {_SYNCHRONOUS[durability]}")
            if durability == "full":
                conn.execute("PRAGMA fullfsync = ON")
                conn.execute("PRAGMA checkpoint_fullfsync = ON")
            # SQLite's default page cache (2 MiB), not a larger one: measured with 32 MiB, the cost of
            # a write grew with the table (store work of an SQS send+receive+delete: 70 µs per message
            # at 10 rows, 110 µs at 100,000; with the default, 80 µs at 100,000), while reads gained
            # nothing (a page of 1,000 keys out of 100,000: 7.5 ms either way; the OS caches the file).
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @property
    def data_dir(self) -> Path:
        return self._data_dir

    @property
    def ephemeral(self) -> bool:
        return self._ephemeral

    @property
    def db_path(self) -> Path:
        return self._data_dir / DB_NAME

    def collection(self, service: str, name: str) -> SqliteCollection:
        coll = self._collections.get((service, name))
        if coll is None:
            if not (isinstance(service, str) and service and isinstance(name, str) and name):
                raise ValueError("service and collection names must be non-empty strings")
            # setdefault: two threads racing here end up sharing one object.
            coll = self._collections.setdefault((service, name), SqliteCollection(self, service, name))
        return coll

    def transaction(self) -> _Transaction:
        return self._transaction

    def next_sequence(self, name: str) -> int:
        cur = self._cursor
        if _HAS_RETURNING:
            with self._lock:
                return int(cur.execute(NEXT_SEQUENCE_RETURNING, (name,)).fetchone()[0])
        with self._transaction:
            cur.execute(NEXT_SEQUENCE, (name,))
            return int(cur.execute(GET_SEQUENCE, (name,)).fetchone()[0])

    def reset(self) -> None:
        with self._transaction:
            self._conn.execute("DELETE FROM documents")
            self._conn.execute("DELETE FROM sequences")
        self.blobs.reset()

    def integrity_check(self) -> list[str]:
        """SQLite's own consistency check: ["ok"] when the database is sound."""
        with self._lock:
            return [str(r[0]) for r in self._conn.execute("PRAGMA integrity_check").fetchall()]

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._conn.in_transaction:  # close() from inside a transaction block
                self._conn.execute("ROLLBACK")
            self._conn.close()
        if self._ephemeral:
            shutil.rmtree(self._data_dir, ignore_errors=True)

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = "ephemeral" if self._ephemeral else "persistent"
        return f"<SqliteStore {kind} {os.fspath(self._data_dir)!r} durability={self.durability}>"
