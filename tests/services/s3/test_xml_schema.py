"""A request document is validated against S3's schema: an element the schema does not define is
400 MalformedXML, not dropped in silence. S3's answer to a TagSet holding an `<Abc>` is recorded in
ceph/ceph#23486; a lifecycle filter whose tags came wrapped in a `<Tags>` element (the C++ SDK's bug,
aws/aws-sdk-cpp#1848) got the same answer from S3 — here it would have stored a rule without its tags."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from tests.raw_http import error_code, error_message, exchange, signed_request


def put(endpoint: str, target: str, document: str) -> tuple[int, bytes]:
    """PUT a document with its Content-MD5 (which S3 requires of some of them)."""
    body = document.encode()
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    status, _, answer = exchange(
        endpoint, signed_request(endpoint, "PUT", target, "s3", body, {"Content-MD5": md5})
    )
    return status, answer


SCHEMA = "The XML you provided was not well-formed or did not validate against our published schema"
NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'

UNKNOWN_ELEMENTS = {
    "tag-set-member": ("tagging", f"<Tagging {NS}><TagSet><Tag><Key>value1</Key><Value>key1</Value></Tag>"
                                  "<Abc>abc</Abc></TagSet></Tagging>"),
    "tag-member": ("tagging", f"<Tagging {NS}><TagSet><Tag><Key>k</Key><Value>v</Value><Abc/></Tag></TagSet></Tagging>"),
    "lifecycle-tags-wrapper": ("lifecycle", "<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>a/</Prefix>"
                               "<Tags><Tag><Key>k</Key><Value>v</Value></Tag></Tags></And></Filter>"
                               "<Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>"
                               "</LifecycleConfiguration>"),
    "versioning-extension": ("versioning", "<VersioningConfiguration><Status>Enabled</Status>"
                             "<ExcludeFolders>true</ExcludeFolders></VersioningConfiguration>"),
    "cors-rule-member": ("cors", "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod>"
                         "<AllowedOrigin>*</AllowedOrigin><Abc/></CORSRule></CORSConfiguration>"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(UNKNOWN_ELEMENTS))
def test_an_element_the_schema_does_not_define_is_malformed_xml(
    endpoint: str, bucket: str, case: str
) -> None:
    query, document = UNKNOWN_ELEMENTS[case]
    status, answer = put(endpoint, f"/{bucket}?{query}", document)
    assert (status, error_code(answer), error_message(answer)) == (400, "MalformedXML", SCHEMA), answer


def test_the_same_documents_without_the_stray_element_are_taken(endpoint: str, bucket: str, s3: Any) -> None:
    tagging = f"<Tagging {NS}><TagSet><Tag><Key>value1</Key><Value>key1</Value></Tag></TagSet></Tagging>"
    status, answer = put(endpoint, f"/{bucket}?tagging", tagging)
    assert status == 204, answer
    lifecycle = (
        "<LifecycleConfiguration><Rule><ID>r</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value>"
        "</Tag><Tag><Key>k2</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status>"
        "<Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"
    )
    status, answer = put(endpoint, f"/{bucket}?lifecycle", lifecycle)
    assert status == 200, answer
    rule = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
    assert rule["Filter"] == {
        "And": {"Prefix": "a/", "Tags": [{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v"}]}
    }
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "value1", "Value": "key1"}]
