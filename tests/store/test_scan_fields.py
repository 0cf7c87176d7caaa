"""Collection.scan_fields and keep_fields: a listing's fields read without whole documents, never wrong.

scan_fields must answer exactly what scan() would, field by field, whether the
fields are kept beside the documents (keep_fields), were kept under another
list of names by an earlier version, were never kept (documents written before,
or fields not kept: SQLite's json_extract then picks them out), and across
reopening the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.store import Collection, Scope
from pocketcloud.store.sqlite import SqliteStore

S: Scope = ("", "bucket")
FIELDS = ("LastModified", "ETag", "Size", "Checksums")

_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
_DOCS = st.dictionaries(st.sampled_from([*FIELDS, "Metadata", "Blob"]), _VALUES, max_size=6)


def expected(collection: Collection, fields: tuple[str, ...], **scan: Any) -> list[tuple[str, list[Any]]]:
    return [(k, [doc.get(f) for f in fields]) for k, doc in collection.scan(S, **scan)]


def listed(rows: list[tuple[str, Sequence[Any]]]) -> list[tuple[str, list[Any]]]:
    return [(k, list(values)) for k, values in rows]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    s = SqliteStore.open(tmp_path / "data")
    yield s
    s.close()


def test_documents_written_before_after_and_under_other_kept_fields_all_read_right(
    store: SqliteStore,
) -> None:
    objects = store.collection("s3", "objects")
    objects.put(S, "a-before", {"ETag": "1", "Size": 1, "Other": "x"})
    objects.keep_fields(("ETag", "Nope"))
    objects.put(S, "b-other-list", {"ETag": "2", "Size": 2})
    objects.keep_fields(FIELDS)
    objects.put(S, "c-kept", {"ETag": "3", "Size": 3, "Checksums": {"CRC32": "q=="}, "LastModified": "t"})
    assert objects.insert(S, "d-inserted", {"Size": 4}) is True
    for fields in (FIELDS, ("Size",), ("ETag", "Other")):
        for scan in ({}, {"prefix": "c"}, {"start_after": "b-other-list"}, {"limit": 2}, {"limit": 0}):
            assert listed(objects.scan_fields(S, fields, **scan)) == expected(objects, fields, **scan)


def test_kept_fields_follow_every_overwrite_and_survive_reopening(tmp_path: Path) -> None:
    with SqliteStore.open(tmp_path / "data") as store:
        objects = store.collection("s3", "objects")
        objects.keep_fields(FIELDS)
        objects.put(S, "k", {"ETag": "old", "Size": 1})
        objects.put(S, "k", {"ETag": "new", "Size": 2})
    with SqliteStore.open(tmp_path / "data") as store:
        objects = store.collection("s3", "objects")
        objects.keep_fields(FIELDS)
        assert listed(objects.scan_fields(S, FIELDS)) == [("k", [None, "new", 2, None])]


def test_a_page_with_a_kept_value_only_json_reads_is_read_row_by_row(store: SqliteStore) -> None:
    # A lone surrogate is stored by json's escape, which orjson refuses: the page-at-once decode
    # must fall back without losing or misreading a row.
    objects = store.collection("s3", "objects")
    objects.keep_fields(FIELDS)
    objects.put(S, "a", {"ETag": "plain", "Size": 1})
    objects.put(S, "b", {"ETag": "\ud800", "Size": 2})
    objects.put(S, "c", {"ETag": "after", "Size": 3})
    assert listed(objects.scan_fields(S, FIELDS)) == [
        ("a", [None, "plain", 1, None]),
        ("b", [None, "\ud800", 2, None]),
        ("c", [None, "after", 3, None]),
    ]


def test_field_names_that_are_not_plain_names_are_refused(store: SqliteStore) -> None:
    objects = store.collection("s3", "objects")
    with pytest.raises(ValueError):
        objects.scan_fields(S, ("a.b",))
    with pytest.raises(ValueError):
        objects.keep_fields(("x'); DROP TABLE documents; --",))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.dictionaries(st.text(min_size=1, max_size=6), _DOCS, max_size=6), keep=st.booleans())
def test_any_documents_read_back_as_scan_reads_them(
    store: SqliteStore, docs: dict[str, Any], keep: bool
) -> None:
    objects = store.collection("s3", f"drawn-{keep}")
    if keep:
        objects.keep_fields(FIELDS)
    objects.delete_prefix(S, "")
    for key, doc in docs.items():
        objects.put(S, key, doc)
    assert listed(objects.scan_fields(S, FIELDS)) == expected(objects, FIELDS)
