"""S3's listing writers (`protocol/serializers/s3_listing.py`) write the same bytes as the generic XML writer.

Each property test draws a listing output and serializes it twice: with S3's
serializer as the server runs it, and with the same serializer given the
generic planner only; the bodies must be identical. Drawn are both arbitrary
outputs of the model (which mostly take the fallback to the generic writer)
and entries of the form the S3 provider produces (which take the fast path),
keys with characters XML must escape included. botocore reading those bodies
back is `test_serializers.py`'s business, and the listing tests' over HTTP.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pocketcloud.protocol.models import service_model
from pocketcloud.protocol.serializers.s3 import MEMBER_ORDER, S3Serializer
from pocketcloud.protocol.serializers.xml import XmlPlanner
from tests.protocol.shape_strategies import OutputStrategies

LISTINGS = ("ListObjects", "ListObjectsV2", "ListObjectVersions")
_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

_FAST = S3Serializer("s3")
_GENERIC = S3Serializer("s3")
_GENERIC.listing_xml = XmlPlanner(always_millis=True, member_order=MEMBER_ORDER, raw_controls=True)  # as _FAST

_KEYS = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=12
) | st.sampled_from(["a&b<c>", "line\r\nbreak", "tab\there", "\x01ctrl", "\ufffe", "é/ü/日本"])
_TIMES = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda dt: dt.replace(microsecond=0))
_STORED_TIMES = _TIMES.map(lambda dt: dt.isoformat())
_OWNERS = st.builds(
    lambda account: {"ID": "c" * 64, "DisplayName": f"account-{account}"},
    st.from_regex(r"[0-9]{12}", fullmatch=True),
)
_CHECKSUMS = st.lists(st.sampled_from(["CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"]), max_size=2)


@st.composite
def _stored(draw: st.DrawFn, extra: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Key": draw(_KEYS),
        "LastModified": draw(_STORED_TIMES | _TIMES),
        "ETag": draw(st.sampled_from(['"d41d8cd98f00b204e9800998ecf8427e"', '"a1b2-3"', "&quot;"])),
        "Size": draw(st.integers(0, 5 * 2**40)),
        "StorageClass": draw(st.sampled_from(["STANDARD", "GLACIER", "<odd>"])),
        **extra,
    }
    if draw(st.booleans()):
        entry["ChecksumAlgorithm"] = draw(_CHECKSUMS)
        entry["ChecksumType"] = draw(st.sampled_from(["FULL_OBJECT", "COMPOSITE"]))
    if draw(st.booleans()):
        entry["Owner"] = draw(_OWNERS)
    return entry


def _marker() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "Key": _KEYS,
            "VersionId": st.sampled_from(["null", "3sL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"]),
            "IsLatest": st.booleans(),
            "LastModified": _STORED_TIMES | _TIMES,
            "Owner": _OWNERS,
        }
    )


_PREFIXES = st.lists(st.fixed_dictionaries({"Prefix": _KEYS}), max_size=3)
_VERSION_EXTRA = {"VersionId": "null", "IsLatest": True}


def _provider_output(name: str) -> st.SearchStrategy[dict[str, Any]]:
    common = {
        "Name": st.just("bucket"),
        "IsTruncated": st.booleans(),
        "MaxKeys": st.just(1000),
        "CommonPrefixes": _PREFIXES,
    }
    if name == "ListObjectVersions":
        return st.fixed_dictionaries(
            {
                **common,
                "Versions": st.lists(_stored(_VERSION_EXTRA), max_size=4),
                "DeleteMarkers": st.lists(_marker(), max_size=3),
            }
        )
    return st.fixed_dictionaries({**common, "Contents": st.lists(_stored({}), max_size=4)})


def _bodies(name: str, output: dict[str, Any]) -> tuple[bytes, bytes]:
    operation = service_model("s3").operation_model(name)
    fast = _FAST.serialize(operation, output, "req").body
    generic = _GENERIC.serialize(operation, output, "req").body
    assert isinstance(fast, bytes) and isinstance(generic, bytes)
    return fast, generic


@pytest.mark.parametrize("name", LISTINGS)
def test_entries_as_the_provider_makes_them_are_written_byte_for_byte_as_the_generic_writer_does(
    name: str,
) -> None:
    @_SETTINGS
    @given(_provider_output(name))
    def check(output: dict[str, Any]) -> None:
        fast, generic = _bodies(name, output)
        assert fast == generic

    check()


@pytest.mark.parametrize("name", LISTINGS)
def test_any_output_of_the_model_is_written_byte_for_byte_as_the_generic_writer_does(name: str) -> None:
    operation = service_model("s3").operation_model(name)

    @_SETTINGS
    @given(OutputStrategies("rest-xml").for_operation(operation))
    def check(output: dict[str, Any]) -> None:
        fast, generic = _bodies(name, output)
        assert fast == generic

    check()


def test_a_stored_time_is_written_in_the_wire_form_with_milliseconds() -> None:
    output = {
        "Name": "b",
        "Contents": [
            {
                "Key": "k",
                "LastModified": "2024-02-29T23:59:59+00:00",
                "ETag": '"e"',
                "Size": 1,
                "StorageClass": "STANDARD",
            }
        ],
    }
    fast, _ = _bodies("ListObjectsV2", output)
    assert b"<LastModified>2024-02-29T23:59:59.000Z</LastModified>" in fast
