"""The integrity headers of a request whose body is a document read whole (a configuration, a
DeleteObjects or legal-hold request, a policy): Content-MD5 and x-amz-checksum-* are checked against
that body as S3 checks an object's (services/s3/integrity.py)."""

from __future__ import annotations

import base64
import hashlib
import zlib

from tests.raw_http import error_code, exchange, signed_request


def test_the_digests_of_a_configuration_or_request_document_are_checked_against_it(endpoint: str, bucket: str) -> None:
    # Content-MD5 and x-amz-checksum-* prove the body they come with, a document as much as an object:
    # one that does not match is 400 BadDigest, and nothing is changed.
    tagging = b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>'
    delete = b"<Delete><Object><Key>k</Key></Object></Delete>"
    other_md5 = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    other_crc32 = base64.b64encode(zlib.crc32(b"other").to_bytes(4, "big")).decode()
    for target, method, body in ((f"/{bucket}?tagging", "PUT", tagging), (f"/{bucket}?delete", "POST", delete)):
        status, _, answer = exchange(endpoint, signed_request(endpoint, method, target, "s3", body, {"Content-MD5": other_md5}))
        assert (status, error_code(answer)) == (400, "BadDigest"), answer
        assert b"<Message>The Content-MD5 you specified did not match what we received.</Message>" in answer
        assert f"<ExpectedDigest>{other_md5}</ExpectedDigest>".encode() in answer
        status, _, answer = exchange(endpoint, signed_request(
            endpoint, method, target, "s3", body, {"x-amz-checksum-crc32": other_crc32}))
        assert (status, error_code(answer)) == (400, "BadDigest"), answer
        assert b"<Message>The CRC32 you specified did not match the calculated checksum.</Message>" in answer
        status, _, answer = exchange(endpoint, signed_request(
            endpoint, method, target, "s3", body, {"Content-MD5": "not an md5"}))
        assert (status, error_code(answer)) == (400, "InvalidDigest"), answer
    status, _, answer = exchange(endpoint, signed_request(endpoint, "GET", f"/{bucket}?tagging", "s3"))
    assert (status, error_code(answer)) == (404, "NoSuchTagSet")
    md5 = base64.b64encode(hashlib.md5(tagging).digest()).decode()
    crc32 = base64.b64encode(zlib.crc32(tagging).to_bytes(4, "big")).decode()
    status, _, answer = exchange(endpoint, signed_request(
        endpoint, "PUT", f"/{bucket}?tagging", "s3", tagging, {"Content-MD5": md5, "x-amz-checksum-crc32": crc32}))
    assert status == 204, answer
