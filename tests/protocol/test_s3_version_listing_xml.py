"""ListObjectVersions' versions and delete markers written as one sequence (`DeleteMarkerEntry` items
among `Versions`, `protocol/serializers/s3_listing.py`): each entry's element is the one the generic
XML writer writes for it as a Version or as a DeleteMarker, in the order the provider gives them,
delete markers the fast writer declines (an Owner with only an ID, as S3 gives once it stops sending
display names) included.

In-process, as `test_s3_listing_xml.py`: the provider never hands over an entry the fast writer
declines, so only the serializer itself can be given one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.serializers.s3 import MEMBER_ORDER, S3Serializer
from pocketcloud.protocol.serializers.s3_listing import DeleteMarkerEntry
from pocketcloud.protocol.serializers.xml import XmlPlanner

_FAST = S3Serializer("s3")
_GENERIC = S3Serializer("s3")
_GENERIC.xml = XmlPlanner(always_millis=True, member_order=MEMBER_ORDER)
_OPERATION = service_model("s3").operation_model("ListObjectVersions")
_HEAD = {"Name": "bucket", "IsTruncated": False, "MaxKeys": 1000}

_KEYS = st.sampled_from(["a", "a&b<c>", "é/ü", "dir/key.txt"])
_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda dt: dt.replace(microsecond=0))
_OWNERS = st.sampled_from([{"ID": "c" * 64, "DisplayName": "account-1"}, {"ID": "c" * 64}])


def _marker() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "Key": _KEYS,
            "VersionId": st.sampled_from(["null", "3sL4kqtJlcpXroDTDmJ"]),
            "IsLatest": st.booleans(),
            "LastModified": _TIMES | _TIMES.map(lambda dt: dt.isoformat()),
            "Owner": _OWNERS,
        }
    )


def _version() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda marker, size: {**marker, "ETag": '"e"', "Size": size, "StorageClass": "STANDARD"},
        _marker(),
        st.integers(0, 2**40),
    )


def _entries(serializer: S3Serializer, output: dict[str, Any]) -> str:
    """The body's entry elements: all that follows IsTruncated, up to the closing tag."""
    body = serializer.serialize(_OPERATION, {**_HEAD, **output}, "req").body
    assert isinstance(body, bytes)
    text = body.decode()
    return text[text.index("</IsTruncated>") + len("</IsTruncated>") : text.rindex("</ListVersionsResult>")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_version(), _marker().map(DeleteMarkerEntry)), min_size=1, max_size=6))
def test_versions_and_delete_markers_are_each_written_as_the_generic_writer_writes_them(
    entries: list[dict[str, Any]],
) -> None:
    expected = "".join(
        _entries(
            _GENERIC,
            {"DeleteMarkers": [dict(entry)]}
            if isinstance(entry, DeleteMarkerEntry)
            else {"Versions": [entry]},
        )
        for entry in entries
    )
    assert _entries(_FAST, {"Versions": entries}) == expected
