"""Versioning: enabling and suspending, version ids, delete markers, reads and deletes
by version, and the null version while versioning is off or suspended."""

from __future__ import annotations

import json
import uuid
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.s3.core_support import error_of


def versions_of(s3: Any, bucket: str, key: str) -> set[tuple[str, bool, bool]]:
    """(version id, is latest, is delete marker) of every version of `key`."""
    listing = s3.list_object_versions(Bucket=bucket, Prefix=key)
    found = {(v["VersionId"], v["IsLatest"], False) for v in listing.get("Versions", []) if v["Key"] == key}
    found |= {
        (m["VersionId"], m["IsLatest"], True) for m in listing.get("DeleteMarkers", []) if m["Key"] == key
    }
    return found


def test_new_bucket_has_no_versioning_status(s3: Any, bucket: str) -> None:
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in answer


def test_enable_and_suspend_are_reported(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


def test_invalid_versioning_status_is_malformed_xml(s3: Any, bucket: str) -> None:
    code, status, _ = error_of(
        s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "On"}
    )
    assert (code, status) == ("MalformedXML", 400)


def test_turning_mfa_delete_on_without_the_mfa_header_is_malformed_xml(s3: Any, bucket: str) -> None:
    # Turning MFA delete on takes x-amz-mfa (hashicorp/terraform-provider-aws#48161).
    config = {"Status": "Enabled", "MFADelete": "Enabled"}
    assert error_of(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration=config)[:2] == (
        "MalformedXML", 400)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_mfa_delete_disabled_without_the_mfa_header_is_taken_and_read_back(s3: Any, bucket: str) -> None:
    # What the Terraform AWS provider's TestAccS3BucketVersioning_MFADelete does against AWS: versioning
    # Enabled with MfaDelete Disabled and no x-amz-mfa, then both read back.
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"})
    answer = s3.get_bucket_versioning(Bucket=bucket)
    assert (answer["Status"], answer["MFADelete"]) == ("Enabled", "Disabled")


MFA = "arn:aws:iam::000000000000:mfa/root-account-mfa-device 123456"
MFA_REQUIRED = ("AccessDenied", 403, "Mfa Authentication must be used for this request")


def test_mfa_delete_refuses_permanent_deletes_and_versioning_changes_without_the_mfa_header(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # S3 User Guide, "Deleting an object from an MFA delete-enabled bucket": the x-amz-mfa header is
    # required "in requests to permanently delete an object version or change the versioning state of
    # the bucket"; the error from AWS Knowledge Center "How do I turn on MFA delete for my Amazon S3
    # bucket?". DeleteObjects fails whole (its API reference).
    s3.put_bucket_versioning(Bucket=bucket, MFA=MFA, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
    version = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version) == MFA_REQUIRED
    assert error_of(s3.delete_objects, Bucket=bucket, Delete={"Objects": [
        {"Key": "k", "VersionId": version}, {"Key": "other"}]}) == MFA_REQUIRED
    assert error_of(s3.put_bucket_versioning, Bucket=bucket,
                    VersioningConfiguration={"Status": "Suspended"}) == MFA_REQUIRED
    assert s3.get_bucket_versioning(Bucket=bucket)["MFADelete"] == "Enabled"
    assert error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=version, MFA="123456")[:2] == (
        "InvalidArgument", 400)  # "{serialNumber}(space){tokenCode}" (iterate-ch/cyberduck#16267)
    marker = s3.delete_object(Bucket=bucket, Key="k")  # a delete marker needs no MFA
    assert marker["DeleteMarker"] is True
    iam = make_client(endpoint, "iam")  # "only the root user can permanently delete object versions"
    name = f"mfa-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    try:
        iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        user = make_client(endpoint, "s3", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        assert error_of(user.delete_object, Bucket=bucket, Key="k", VersionId=version, MFA=MFA) == (
            "AccessDenied", 403, "This operation may only be performed by the bucket owner")
    finally:
        iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
        iam.delete_user_policy(UserName=name, PolicyName="all")
        iam.delete_user(UserName=name)
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=version, MFA=MFA)["VersionId"] == version
    s3.put_bucket_versioning(Bucket=bucket, MFA=MFA, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["MFADelete"] == "Disabled"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=marker["VersionId"])


def test_each_put_gets_a_new_version_and_old_versions_stay_readable(s3: Any, versioned_bucket: str) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"two")["VersionId"]
    assert v1 and v2 and v1 != v2 and "null" not in (v1, v2)
    current = s3.get_object(Bucket=versioned_bucket, Key="k")
    assert (current["Body"].read(), current["VersionId"]) == (b"two", v2)
    old = s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=v1)
    assert (old["Body"].read(), old["VersionId"]) == (b"one", v1)
    assert s3.head_object(Bucket=versioned_bucket, Key="k", VersionId=v1)["ContentLength"] == 3
    assert versions_of(s3, versioned_bucket, "k") == {(v2, True, False), (v1, False, False)}


def test_delete_without_version_adds_a_delete_marker(s3: Any, versioned_bucket: str) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")["VersionId"]
    deleted = s3.delete_object(Bucket=versioned_bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=versioned_bucket, Key="k")
    response = info.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("NoSuchKey", 404)
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=versioned_bucket, Key="k")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert s3.list_objects_v2(Bucket=versioned_bucket)["KeyCount"] == 0
    assert s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=v1)["Body"].read() == b"one"
    assert versions_of(s3, versioned_bucket, "k") == {(marker, True, True), (v1, False, False)}


def test_a_delete_marker_is_announced_in_a_bucket_with_acls_too(s3: Any) -> None:
    # With ACLs enabled (ObjectWriter) a read is decided by ACLs as well; the 404 it then answered for
    # a key behind a delete marker had lost the marker's headers (ceph s3-tests' test_delete_marker_versioned).
    bucket = f"acl-markers-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, ObjectOwnership="ObjectWriter")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as info:
            read(Bucket=bucket, Key="k")
        meta = info.value.response["ResponseMetadata"]
        assert meta["HTTPStatusCode"] == 404
        assert (meta["HTTPHeaders"]["x-amz-delete-marker"], meta["HTTPHeaders"]["x-amz-version-id"]) == ("true", marker)


def test_get_of_a_delete_marker_version_is_method_not_allowed(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=marker)
    response = info.value.response
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "MethodNotAllowed",
        405,
    )
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"


def test_deleting_the_delete_marker_restores_the_object(s3: Any, versioned_bucket: str) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")["VersionId"]
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    removed = s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    current = s3.get_object(Bucket=versioned_bucket, Key="k")
    assert (current["Body"].read(), current["VersionId"]) == (b"one", v1)


def test_deleting_a_specific_version_removes_it_for_good(s3: Any, versioned_bucket: str) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")["VersionId"]
    v2 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"two")["VersionId"]
    assert s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=v2)["VersionId"] == v2
    assert (
        s3.get_object(Bucket=versioned_bucket, Key="k")["Body"].read() == b"one"
    )  # previous one is current again
    code, status, _ = error_of(s3.get_object, Bucket=versioned_bucket, Key="k", VersionId=v2)
    assert (code, status) == ("NoSuchVersion", 404)
    assert versions_of(s3, versioned_bucket, "k") == {(v1, True, False)}


def test_objects_from_before_versioning_keep_the_null_version(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"after")["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    assert versions_of(s3, bucket, "k") == {(v2, True, False), ("null", False, False)}


def test_the_null_version_is_named_by_tagging_calls_once_versioning_is_configured(s3: Any, bucket: str) -> None:
    """AWS's documented PutObjectTagging, GetObjectTagging and DeleteObjectTagging answers on an object
    from before versioning: {"VersionId": "null"} (botocore's S3 examples), as GetObject says it."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    tagging = {"TagSet": [{"Key": "a", "Value": "1"}]}
    assert "VersionId" not in s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagging)
    assert "VersionId" not in s3.get_object_tagging(Bucket=bucket, Key="k")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tagging)["VersionId"] == "null"
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["VersionId"] == "null"
    attributes = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["ObjectSize"])
    assert attributes["VersionId"] == "null"
    assert s3.delete_object_tagging(Bucket=bucket, Key="k")["VersionId"] == "null"
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == "null"


def test_suspended_bucket_overwrites_the_null_version_and_keeps_older_ones(
    s3: Any, versioned_bucket: str
) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Suspended"})
    first = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"null one")
    assert first.get("VersionId") in (None, "null")
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"null two")
    assert s3.get_object(Bucket=versioned_bucket, Key="k")["Body"].read() == b"null two"
    assert s3.get_object(Bucket=versioned_bucket, Key="k", VersionId="null")["Body"].read() == b"null two"
    assert s3.get_object(Bucket=versioned_bucket, Key="k", VersionId=v1)["Body"].read() == b"versioned"
    assert versions_of(s3, versioned_bucket, "k") == {("null", True, False), (v1, False, False)}


def test_delete_in_a_suspended_bucket_replaces_the_null_version_with_a_null_marker(
    s3: Any, versioned_bucket: str
) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"versioned")["VersionId"]
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"null")
    deleted = s3.delete_object(Bucket=versioned_bucket, Key="k")
    assert deleted["DeleteMarker"] is True
    assert deleted["VersionId"] == "null"
    assert versions_of(s3, versioned_bucket, "k") == {("null", True, True), (v1, False, False)}


def test_re_enabling_keeps_the_null_version_among_the_versions(s3: Any, versioned_bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"null")
    s3.put_bucket_versioning(Bucket=versioned_bucket, VersioningConfiguration={"Status": "Enabled"})
    v2 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"new")["VersionId"]
    assert versions_of(s3, versioned_bucket, "k") == {(v2, True, False), ("null", False, False)}
    s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId="null")
    assert versions_of(s3, versioned_bucket, "k") == {(v2, True, False)}


def test_unknown_version_id_is_no_such_version(s3: Any, versioned_bucket: str) -> None:
    # A version id S3 issued whose version is gone: NoSuchVersion (one it never issued is
    # InvalidArgument, as recorded against AWS).
    gone = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=gone)
    code, status, _ = error_of(s3.get_object, Bucket=versioned_bucket, Key="k", VersionId=gone)
    assert (code, status) == ("NoSuchVersion", 404)
    never = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"
    assert error_of(s3.get_object, Bucket=versioned_bucket, Key="k", VersionId=never)[:2] == (
        "InvalidArgument",
        400,
    )


def test_a_malformed_version_id_is_invalid_argument_not_no_such_version(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    for call in (s3.get_object, s3.get_object_tagging, s3.delete_object):
        assert error_of(call, Bucket=bucket, Key="k", VersionId="noVersion") == (
            "InvalidArgument",
            400,
            "Invalid version id specified",
        )
    assert error_of(s3.head_object, Bucket=bucket, Key="k", VersionId="noVersion")[:2] == (
        "400",
        400,
    )  # no body
    assert error_of(s3.get_object, Bucket=bucket, Key="k", VersionId="") == (
        "InvalidArgument",
        400,
        "Version id cannot be the empty string",
    )


def test_deleting_an_unknown_version_succeeds(s3: Any, versioned_bucket: str) -> None:
    gone = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"gone")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=gone)
    response = s3.delete_object(Bucket=versioned_bucket, Key="k", VersionId=gone)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object(Bucket=versioned_bucket, Key="k")["Body"].read() == b"x"


def test_version_specific_tagging(s3: Any, versioned_bucket: str) -> None:
    v1 = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"two")
    tagged = s3.put_object_tagging(
        Bucket=versioned_bucket, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]}
    )
    assert tagged["VersionId"] == v1
    assert s3.get_object_tagging(Bucket=versioned_bucket, Key="k", VersionId=v1)["TagSet"] == [
        {"Key": "old", "Value": "yes"}
    ]
    assert s3.get_object_tagging(Bucket=versioned_bucket, Key="k")["TagSet"] == []


def test_head_and_get_report_the_version_id(s3: Any, versioned_bucket: str) -> None:
    version = s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"x")["VersionId"]
    assert s3.head_object(Bucket=versioned_bucket, Key="k")["VersionId"] == version
    listing = s3.list_objects_v2(Bucket=versioned_bucket)
    assert [o["Key"] for o in listing["Contents"]] == ["k"]


def test_a_delete_marker_version_allows_only_delete(s3: Any, versioned_bucket: str) -> None:
    s3.put_object(Bucket=versioned_bucket, Key="k", Body=b"one")
    marker = s3.delete_object(Bucket=versioned_bucket, Key="k")["VersionId"]
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=versioned_bucket, Key="k", VersionId=marker)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert info.value.response["ResponseMetadata"]["HTTPHeaders"]["allow"] == "DELETE"
    # "... returns a 405 Method Not Allowed error and the Last-Modified: timestamp response header"
    # (HeadObject, DeleteMarker): the marker's own time, as ListObjectVersions lists it.
    listed = s3.list_object_versions(Bucket=versioned_bucket, Prefix="k")["DeleteMarkers"][0]["LastModified"]
    assert parsedate_to_datetime(info.value.response["ResponseMetadata"]["HTTPHeaders"]["last-modified"]) == listed
    with pytest.raises(ClientError) as info:
        s3.put_object_tagging(
            Bucket=versioned_bucket,
            Key="k",
            VersionId=marker,
            Tagging={"TagSet": [{"Key": "a", "Value": "b"}]},
        )
    error = info.value.response["Error"]
    assert (error["Code"], error["Method"], error["ResourceType"]) == (
        "MethodNotAllowed",
        "PUT",
        "DeleteMarker",
    )
