"""Fast writers for the entries of S3's listings: the Contents, Version, DeleteMarker and CommonPrefixes
elements of ListObjects, ListObjectsV2 and ListObjectVersions.

A listing page carries up to a thousand entries, and the generic writer
(`xml.py`) spends a closure call and a list append on every member of every
one. These writers turn an entry of the form the S3 provider produces into its
element with one f-string, and hand any other entry to the generic writer, so
the bytes are the same either way (`tests/protocol/test_s3_listing_xml.py`
compares the two on drawn entries). Whether any text needs escaping is asked
once per page, of all its strings together: keys rarely do, and a regex search
per string would cost more than the rest of the entry. A page of Contents whose
every entry has the usual shape (`_usual_contents_page`) is checked and written
in one loop with no call per member; any other page goes entry by entry.

LastModified may be given as S3 stores it (`2024-01-01T00:00:00+00:00`, whole
seconds in UTC, as `datetime.isoformat()` writes it): a string of that shape is
rewritten into the wire form by slicing, where the generic writer would parse
and format it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import Any

from .scalars import iso8601_millis
from .xml import _S3_TEXT_SPECIAL, Writer, _entity, generic_element, s3_needs_entity

_OBJECT_MEMBERS = frozenset(
    ("Key", "LastModified", "ETag", "ChecksumAlgorithm", "ChecksumType", "Size", "StorageClass", "Owner")
)
_VERSION_MEMBERS = _OBJECT_MEMBERS | {"VersionId", "IsLatest"}
_MARKER_MEMBERS = frozenset(("Owner", "Key", "VersionId", "IsLatest", "LastModified"))

Escape = Callable[[str], str]
Entry = Callable[[Any, Escape], "str | None"]


class DeleteMarkerEntry(dict[str, Any]):
    """A delete marker given among ListObjectVersions' `Versions`. S3 writes a listing's versions and
    delete markers as one sequence (key order, each key's newest first), and clients that keep that
    order (minio-go, the AWS SDK for Java v1) read one list from it: the provider gives one list and
    marks its delete markers with this class, and `_versions_and_markers` writes each as its element."""


def _text(value: str) -> str:
    if _S3_TEXT_SPECIAL.search(value) is None:
        return value
    return _S3_TEXT_SPECIAL.sub(_entity, value)


def _time(value: Any) -> str:
    if value.__class__ is str and len(value) == 25 and value[19:] == "+00:00" and value[10] == "T":
        return value[:19] + ".000Z"
    return iso8601_millis(value)


def _checksums(item: dict[str, Any], esc: Escape) -> str | None:
    """ChecksumAlgorithm (a flattened list) and ChecksumType, or None if they are not plain strings."""
    algorithms, kind = item.get("ChecksumAlgorithm"), item.get("ChecksumType")
    text = ""
    if algorithms is not None:
        if algorithms.__class__ is not list:
            return None
        for algorithm in algorithms:
            if algorithm is None:
                continue
            if algorithm.__class__ is not str:
                return None
            text += f"<ChecksumAlgorithm>{esc(algorithm)}</ChecksumAlgorithm>"
    if kind is not None:
        if kind.__class__ is not str:
            return None
        text += f"<ChecksumType>{esc(kind)}</ChecksumType>"
    return text


def _owner(owner: Any, esc: Escape) -> str | None:
    if owner is None:
        return ""
    # S3 writes the ID alone (no DisplayName since November 2025); anything else takes the generic path.
    if owner.__class__ is not dict or len(owner) != 1 or (ident := owner.get("ID")).__class__ is not str:
        return None
    return f"<Owner><ID>{esc(ident)}</ID></Owner>"


def _extras(item: dict[str, Any], members: frozenset[str], esc: Escape) -> tuple[str, str] | None:
    """(checksum elements, Owner element) of an entry with optional members, None to fall back."""
    if not members.issuperset(item):
        return None
    sums, owner = _checksums(item, esc), _owner(item.get("Owner"), esc)
    if sums is None or owner is None:
        return None
    return sums, owner


def _contents(item: Any, esc: Escape) -> str | None:
    if item.__class__ is not dict:
        return None
    key, modified, etag = item.get("Key"), item.get("LastModified"), item.get("ETag")
    size, storage_class = item.get("Size"), item.get("StorageClass")
    if (
        key.__class__ is not str
        or etag.__class__ is not str
        or size.__class__ is not int
        or storage_class.__class__ is not str
        or modified is None
    ):
        return None
    sums = owner = ""
    if len(item) != 5:
        extras = _extras(item, _OBJECT_MEMBERS, esc)
        if extras is None:
            return None
        sums, owner = extras
    return (
        f"<Contents><Key>{esc(key)}</Key><LastModified>{_time(modified)}</LastModified><ETag>{esc(etag)}</ETag>"
        f"{sums}<Size>{size}</Size>{owner}<StorageClass>{esc(storage_class)}</StorageClass></Contents>"
    )


_USUAL = itemgetter("Key", "LastModified", "ETag", "Size", "StorageClass")
_USUAL_WITH_CHECKSUM = itemgetter(
    "Key", "LastModified", "ETag", "Size", "StorageClass", "ChecksumAlgorithm", "ChecksumType"
)


def _checksum_elements(algorithms: Any, kind: Any) -> str | None:
    """One ChecksumAlgorithm and its ChecksumType, or None if they are not that."""
    if algorithms.__class__ is not list or len(algorithms) != 1:
        return None
    algorithm = algorithms[0]
    if algorithm.__class__ is not str or kind.__class__ is not str or s3_needs_entity(algorithm + kind):
        return None
    return f"<ChecksumAlgorithm>{algorithm}</ChecksumAlgorithm><ChecksumType>{kind}</ChecksumType>"


def _usual_contents_page(items: list[Any]) -> list[str] | None:
    """The Contents elements of a page whose every entry is a usual one, else None.

    Usual is what the S3 provider writes for an object: Key, LastModified as stored,
    ETag, Size and StorageClass, and either no checksum or one ChecksumAlgorithm with
    its ChecksumType; and nothing on the page needs an entity. Checked and written in
    one loop with no call per member: this is most of the cost of a thousand-entry page.
    """
    texts: list[str] = []
    strings: list[str] = []
    keep_text, keep_strings = texts.append, strings.extend
    checksums: dict[tuple[str, str], str | None] = {}  # a page has few distinct ones
    for item in items:
        if item.__class__ is not dict:
            return None
        count = len(item)
        try:
            if count == 7:
                key, modified, etag, size, storage_class, algorithms, kind = _USUAL_WITH_CHECKSUM(item)
                if algorithms.__class__ is not list or len(algorithms) != 1:
                    return None
                pair = (algorithms[0], kind)
                sums = checksums.get(pair, "")
                if sums == "":
                    sums = checksums[pair] = _checksum_elements(algorithms, kind)
                if sums is None:
                    return None
            elif count == 5:
                key, modified, etag, size, storage_class = _USUAL(item)
                sums = ""
            else:
                return None
        except (KeyError, TypeError):  # a member missing, or an unhashable checksum value
            return None
        if (
            key.__class__ is not str
            or modified.__class__ is not str
            or etag.__class__ is not str
            or size.__class__ is not int
            or storage_class.__class__ is not str
            or len(modified) != 25
            or modified[19:] != "+00:00"
            or modified[10] != "T"
        ):
            return None
        keep_strings((key, etag, storage_class))
        keep_text(
            f"<Contents><Key>{key}</Key><LastModified>{modified[:19]}.000Z</LastModified><ETag>{etag}</ETag>"
            f"{sums}<Size>{size}</Size><StorageClass>{storage_class}</StorageClass></Contents>"
        )
    if s3_needs_entity("".join(strings)):
        return None
    return texts


def _version(item: Any, esc: Escape) -> str | None:
    if item.__class__ is not dict:
        return None
    key, modified, etag = item.get("Key"), item.get("LastModified"), item.get("ETag")
    size, storage_class = item.get("Size"), item.get("StorageClass")
    version, latest = item.get("VersionId"), item.get("IsLatest")
    if (
        key.__class__ is not str
        or etag.__class__ is not str
        or size.__class__ is not int
        or storage_class.__class__ is not str
        or modified is None
        or version.__class__ is not str
        or latest.__class__ is not bool
    ):
        return None
    sums = owner = ""
    if len(item) != 7:
        extras = _extras(item, _VERSION_MEMBERS, esc)
        if extras is None:
            return None
        sums, owner = extras
    return (
        f"<Version><ETag>{esc(etag)}</ETag>{sums}<Size>{size}</Size><StorageClass>{esc(storage_class)}</StorageClass>"
        f"<Key>{esc(key)}</Key><VersionId>{esc(version)}</VersionId>"
        f"<IsLatest>{'true' if latest else 'false'}</IsLatest><LastModified>{_time(modified)}</LastModified>"
        f"{owner}</Version>"
    )


def _delete_marker(item: Any, esc: Escape) -> str | None:
    if (item.__class__ is not dict and item.__class__ is not DeleteMarkerEntry) or not _MARKER_MEMBERS.issuperset(item):
        return None
    key, version, latest, modified = (
        item.get("Key"),
        item.get("VersionId"),
        item.get("IsLatest"),
        item.get("LastModified"),
    )
    owner = _owner(item.get("Owner"), esc)
    if (
        key.__class__ is not str
        or version.__class__ is not str
        or latest.__class__ is not bool
        or modified is None
        or owner is None
    ):
        return None
    return (
        f"<DeleteMarker>{owner}<Key>{esc(key)}</Key><VersionId>{esc(version)}</VersionId>"
        f"<IsLatest>{'true' if latest else 'false'}</IsLatest><LastModified>{_time(modified)}</LastModified>"
        "</DeleteMarker>"
    )


def _common_prefix(item: Any, esc: Escape) -> str | None:
    if item.__class__ is not dict or len(item) != 1:
        return None
    prefix = item.get("Prefix")
    if prefix.__class__ is not str:
        return None
    return f"<CommonPrefixes><Prefix>{esc(prefix)}</Prefix></CommonPrefixes>"


def _fast_list(entry: Entry, usual_page: Callable[[list[Any]], list[str] | None] | None = None) -> Callable[[Writer], Writer]:
    """A flattened list's writer: `usual_page` for a page it can write whole, else `entry` for each
    item it can write, and the generic writer for the rest."""

    def build(generic: Writer) -> Writer:
        def write(items: Any, out: list[str]) -> None:
            if items.__class__ is not list:
                generic(items, out)
                return
            if usual_page is not None and (page := usual_page(items)) is not None:
                out += page
                return
            _write_entries(items, entry, lambda item: generic([item], out), out)

        return write

    return build


def _write_entries(items: list[Any], entry: Entry, declined: Callable[[Any], None], out: list[str]) -> None:
    """Each item as `entry` writes it, `declined(item)` for those it declines. First every entry
    unescaped, collecting its strings; if one of them needs an entity after all, the page is
    written again with each string escaped."""
    strings: list[str] = []
    collect = strings.append

    def unescaped(value: str) -> str:
        collect(value)
        return value

    texts = [None if item is None else entry(item, unescaped) for item in items]
    if s3_needs_entity("".join(strings)):
        texts = [None if item is None else entry(item, _text) for item in items]
    for item, text in zip(items, texts, strict=True):
        if text is not None:
            out.append(text)
        elif item is not None:
            declined(item)


def _generic_markers(items: Any, out: list[str]) -> None:
    """Delete markers `_delete_marker` declines (an Owner without DisplayName, say), written as the
    generic writer writes the DeleteMarkers member: the DeleteMarkerEntry shape's members in its
    order (Owner first, its DisplayName before its ID) and LastModified in the wire form."""
    for item in items:
        out.append("<DeleteMarker>")
        owner = item.get("Owner")
        if isinstance(owner, Mapping):
            generic_element("Owner", {k: owner[k] for k in ("DisplayName", "ID") if owner.get(k) is not None}, out)
        for member in ("Key", "VersionId"):
            if item.get(member) is not None:
                out.append(f"<{member}>{_text(str(item[member]))}</{member}>")
        if item.get("IsLatest") is not None:
            out.append(f"<IsLatest>{'true' if item['IsLatest'] else 'false'}</IsLatest>")
        if item.get("LastModified") is not None:
            out.append(f"<LastModified>{_time(item['LastModified'])}</LastModified>")
        out.append("</DeleteMarker>")


def _version_or_marker(item: Any, esc: Escape) -> str | None:
    if item.__class__ is DeleteMarkerEntry:
        return _delete_marker(item, esc)
    return _version(item, esc)


def _versions_and_markers(generic: Writer) -> Writer:
    """ListObjectVersions' `Versions`, with the `DeleteMarkerEntry` items among them written in place:
    one pass over the page, as `_fast_list` makes (a page where every key's newest entry is a delete
    marker alternates the two kinds, and a call per run would cost as much again as the page)."""
    versions = _fast_list(_version)(generic)

    def write(items: Any, out: list[str]) -> None:
        if items.__class__ is not list or not any(item.__class__ is DeleteMarkerEntry for item in items):
            versions(items, out)
            return

        def declined(item: Any) -> None:
            if item.__class__ is DeleteMarkerEntry:
                _generic_markers([item], out)
            else:
                generic([item], out)

        _write_entries(items, _version_or_marker, declined, out)

    return write


# (output shape, member) → a builder taking the generic writer of that member; for XmlPlanner.
LISTING_WRITERS: Mapping[tuple[str, str], Callable[[Writer], Writer]] = {
    ("ListObjectsOutput", "Contents"): _fast_list(_contents, _usual_contents_page),
    ("ListObjectsOutput", "CommonPrefixes"): _fast_list(_common_prefix),
    ("ListObjectsV2Output", "Contents"): _fast_list(_contents, _usual_contents_page),
    ("ListObjectsV2Output", "CommonPrefixes"): _fast_list(_common_prefix),
    ("ListObjectVersionsOutput", "Versions"): _versions_and_markers,
    ("ListObjectVersionsOutput", "DeleteMarkers"): _fast_list(_delete_marker),
    ("ListObjectVersionsOutput", "CommonPrefixes"): _fast_list(_common_prefix),
}
