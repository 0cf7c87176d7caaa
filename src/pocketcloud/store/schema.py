"""The SQLite schema of the embedded store: its migrations and the statements that query it.

A database records how many migrations it has seen in `PRAGMA user_version`.
Opening it applies the missing ones in order, each in its own transaction
together with the version bump, so a crash mid-migration leaves the previous
version intact. To change the schema, append a function to `MIGRATIONS`;
never edit or reorder one that has shipped, since databases in the field have
already run it.

The statements are constant strings built once at import, so the sqlite3
module's statement cache prepares each one once per connection.
"""

from __future__ import annotations

import binascii
import json
import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer pocketcloud than this one."""


def _m1_documents_and_sequences(conn: sqlite3.Connection) -> None:
    # WITHOUT ROWID: the primary key *is* the table's B-tree, so a scan of one
    # collection in one scope walks contiguous pages in key order, and a point
    # lookup is one descent instead of index-then-table. BINARY collation on
    # UTF-8 TEXT is memcmp, i.e. UTF-8 byte order, which is what S3 lists in.
    conn.execute(
        """
        CREATE TABLE documents (
            service    TEXT NOT NULL,
            collection TEXT NOT NULL,
            account    TEXT NOT NULL,
            region     TEXT NOT NULL,
            key        TEXT NOT NULL COLLATE BINARY,
            doc        TEXT NOT NULL,
            PRIMARY KEY (service, collection, account, region, key)
        ) WITHOUT ROWID
        """
    )
    conn.execute(
        """
        CREATE TABLE sequences (
            name  TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
        ) WITHOUT ROWID
        """
    )


def _m2_kept_fields(conn: sqlite3.Connection) -> None:
    # A few top-level fields of a document, copied beside it (Collection.keep_fields) so that
    # a listing reads them without decoding the whole document; NULL where none are kept.
    conn.execute("ALTER TABLE documents ADD COLUMN fields TEXT")


def _m3_inline_blobs(conn: sqlite3.Connection) -> None:
    # Small blobs (S3 bodies of up to 64 KiB) as raw BLOBs in a table of their own, written in the
    # transaction of the metadata that points at them: no JSON document, no base64. WITHOUT ROWID:
    # one B-tree keyed by the blob id, rather than a rowid table plus an index on the id.
    conn.execute(
        """
        CREATE TABLE blobs (
            id   TEXT PRIMARY KEY NOT NULL,
            data BLOB NOT NULL
        ) WITHOUT ROWID
        """
    )
    # Inline blobs of schema 2 were documents {"b": "<base64>"} of the collection blobs/inline.
    rows = conn.execute(
        "SELECT key, doc FROM documents WHERE service = 'blobs' AND collection = 'inline'"
    ).fetchall()
    for key, doc in rows:
        data = binascii.a2b_base64(json.loads(doc)["b"])
        conn.execute("INSERT INTO blobs (id, data) VALUES (?, ?)", (key, data))
    conn.execute("DELETE FROM documents WHERE service = 'blobs' AND collection = 'inline'")


def _m4_rowid_tables(conn: sqlite3.Connection) -> None:
    # documents and blobs become rowid tables, each with a unique index on its key. A WITHOUT ROWID
    # table is a B-tree of whole rows, interior pages included (SQLite advises rows under 1/20th of a
    # page); documents of hundreds of bytes and 1 KiB blobs left interior pages a few cells wide, so
    # an insert rewrote a leaf, its parent and often a split's pages, and a blob over ~1,000 bytes
    # took an overflow page of its own. Measured (S3's 1 KiB PUT: a blob and two documents in one
    # transaction, WAL): 51 µs of CPU a transaction at 1,000 objects, 64 µs at 50,000; as rowid
    # tables 34 and 37 µs, the database half the size; a 1,000-key page of a listing costs 0.8 ms
    # rather than 0.35 ms (a table lookup per row), a point read the same.
    conn.execute(
        """
        CREATE TABLE documents_by_rowid (
            service    TEXT NOT NULL,
            collection TEXT NOT NULL,
            account    TEXT NOT NULL,
            region     TEXT NOT NULL,
            key        TEXT NOT NULL COLLATE BINARY,
            doc        TEXT NOT NULL,
            fields     TEXT
        )
        """
    )
    # Copied in key order, so that a collection's rows lie together, as they did.
    conn.execute(
        "INSERT INTO documents_by_rowid (service, collection, account, region, key, doc, fields) "
        "SELECT service, collection, account, region, key, doc, fields FROM documents "
        "ORDER BY service, collection, account, region, key"
    )
    conn.execute("DROP TABLE documents")
    conn.execute("ALTER TABLE documents_by_rowid RENAME TO documents")
    conn.execute("CREATE UNIQUE INDEX documents_key ON documents (service, collection, account, region, key)")
    conn.execute("CREATE TABLE blobs_by_rowid (id TEXT PRIMARY KEY NOT NULL, data BLOB NOT NULL)")
    conn.execute("INSERT INTO blobs_by_rowid (id, data) SELECT id, data FROM blobs ORDER BY id")
    conn.execute("DROP TABLE blobs")
    conn.execute("ALTER TABLE blobs_by_rowid RENAME TO blobs")


MIGRATIONS: list[Migration] = [
    _m1_documents_and_sequences,
    _m2_kept_fields,
    _m3_inline_blobs,
    _m4_rowid_tables,
]


# The statements the store runs, written against the schema as of the last
# migration: a migration that changes a table changes them in the same commit.


def prefix_end(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix`, or None if
    there is none; so `prefix <= key < prefix_end(prefix)` selects the prefix.

    UTF-8 byte order is code point order, so incrementing the last code point
    that can be incremented is enough. Surrogates cannot occur in a stored key,
    so they are skipped over.
    """
    while prefix:
        last = ord(prefix[-1])
        if last < 0x10FFFF:
            nxt = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1
            return prefix[:-1] + chr(nxt)
        prefix = prefix[:-1]
    return None


SCOPE = "service = ? AND collection = ? AND account = ? AND region = ?"
GET = f"SELECT doc FROM documents WHERE {SCOPE} AND key = ?"
PUT = (
    "INSERT INTO documents (service, collection, account, region, key, doc, fields) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (service, collection, account, region, key) DO UPDATE SET doc = excluded.doc, fields = excluded.fields"
)
INSERT = (
    "INSERT INTO documents (service, collection, account, region, key, doc, fields) VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (service, collection, account, region, key) DO NOTHING"
)
DELETE = f"DELETE FROM documents WHERE {SCOPE} AND key = ?"
LOWER = {0: "", 1: " AND key >= ?", 2: " AND key > ?"}  # none, inclusive, exclusive
UPPER = {False: "", True: " AND key < ?"}
# Bounds are always one range on the key index (never LIKE, never two lower
# bounds the planner might pick the looser of), so a page costs a B-tree descent
# plus the rows returned, whatever the size of the collection.
SCAN = {
    (lo, hi, rev): f"SELECT key, doc FROM documents WHERE {SCOPE}{LOWER[lo]}{UPPER[hi]} "
    f"ORDER BY key {'DESC' if rev else 'ASC'} LIMIT ?"
    for lo in LOWER
    for hi in UPPER
    for rev in (False, True)
}
# The kept fields of a range (Collection.keep_fields) instead of the documents, and the document
# itself only where no fields were kept (rows written before their collection kept any).
SCAN_KEPT = {
    shape: sql.replace("SELECT key, doc", "SELECT key, fields, CASE WHEN fields IS NULL THEN doc END", 1)
    for shape, sql in SCAN.items()
}
COUNT = {
    (lo, hi): f"SELECT count(*) FROM documents WHERE {SCOPE}{LOWER[lo]}{UPPER[hi]}"
    for lo in (0, 1)
    for hi in UPPER
}
DELETE_RANGE = {
    (lo, hi): f"DELETE FROM documents WHERE {SCOPE}{LOWER[lo]}{UPPER[hi]}" for lo in (0, 1) for hi in UPPER
}
# scopes() hops from one (account, region) to the next with index seeks, so it
# costs one seek per scope rather than a pass over every document.
FIRST_SCOPE = "SELECT account, region FROM documents WHERE service = ? AND collection = ? ORDER BY account, region LIMIT 1"
NEXT_REGION = (
    "SELECT region FROM documents WHERE service = ? AND collection = ? AND account = ? AND region > ? "
    "ORDER BY region LIMIT 1"
)
NEXT_ACCOUNT = (
    "SELECT account, region FROM documents WHERE service = ? AND collection = ? AND account > ? "
    "ORDER BY account, region LIMIT 1"
)
NEXT_SEQUENCE = (
    "INSERT INTO sequences (name, value) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1"
)
NEXT_SEQUENCE_RETURNING = NEXT_SEQUENCE + " RETURNING value"  # SQLite 3.35+
GET_SEQUENCE = "SELECT value FROM sequences WHERE name = ?"
BLOB_GET = "SELECT data FROM blobs WHERE id = ?"
# A document and the inline blob one of its fields names (json_extract path as the first parameter).
GET_WITH_BLOB = (
    "SELECT d.doc, b.data FROM documents AS d LEFT JOIN blobs AS b ON b.id = json_extract(d.doc, ?) "
    "WHERE d.service = ? AND d.collection = ? AND d.account = ? AND d.region = ? AND d.key = ?"
)
BLOB_SIZE = "SELECT length(data) FROM blobs WHERE id = ?"
BLOB_PUT = "INSERT INTO blobs (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data"
BLOB_DELETE = "DELETE FROM blobs WHERE id = ?"
BLOB_IDS = "SELECT id FROM blobs ORDER BY id"
BLOB_CLEAR = "DELETE FROM blobs"


def user_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None) -> int:
    """Bring the database up to date; returns its version afterwards.

    `conn` must be in autocommit mode (isolation_level=None): each migration
    runs between an explicit BEGIN IMMEDIATE and COMMIT.
    """
    steps = MIGRATIONS if migrations is None else migrations
    current = user_version(conn)
    if current > len(steps):
        raise SchemaTooNewError(
            f"state database is at schema version {current}, this pocketcloud knows "
            f"only up to {len(steps)}; upgrade pocketcloud or use another data directory"
        )
    for version in range(current + 1, len(steps) + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            steps[version - 1](conn)
            # user_version lives in the database header, which is part of the
            # transaction: the schema change and its number commit together.
            conn.execute(f"PRAGMA user_version = {version:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(steps)
