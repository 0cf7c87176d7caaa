"""Directory buckets (S3 Express One Zone) through boto3's default configuration and the AWS CLI.

boto3 sends CreateSession before a call that names a directory bucket and signs the call with the
session's credentials (x-amz-s3session-token), so every test here exercises sessions as users hit
them. Behaviours from the S3 API reference (CreateBucket, CreateSession, ListDirectoryBuckets,
HeadBucket, RenameObject, and each operation's directory bucket notes) and the User Guide's
"Directory buckets" chapters.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.s3.access_support import iam_user
from tests.services.s3.core_support import OTHER_ACCOUNT, OTHER_KEY, OTHER_SECRET, error_of, unique_bucket

ZONE = "use1-az4"


def directory_name(zone: str = ZONE) -> str:
    return f"dir{uuid.uuid4().hex[:12]}--{zone}--x-s3"


def directory_config(zone: str = ZONE) -> dict[str, Any]:
    return {
        "Location": {"Type": "AvailabilityZone", "Name": zone},
        "Bucket": {"Type": "Directory", "DataRedundancy": "SingleAvailabilityZone"},
    }


def empty_directory_bucket(s3: Any, name: str) -> None:
    for upload in s3.list_multipart_uploads(Bucket=name).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
        for item in page.get("Contents", []):
            s3.delete_object(Bucket=name, Key=item["Key"])
    s3.delete_bucket(Bucket=name)


@pytest.fixture
def s3(endpoint: str) -> Any:
    return make_client(endpoint, "s3")


@pytest.fixture
def dbucket(s3: Any) -> Iterator[str]:
    name = directory_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    yield name
    try:
        empty_directory_bucket(s3, name)
    except ClientError:
        pass


def sent_headers(client: Any) -> list[tuple[str, dict[str, str]]]:
    """(operation, headers) of every request `client` sends from now on."""
    seen: list[tuple[str, dict[str, str]]] = []

    def record(request: Any, event_name: str, **_: Any) -> None:
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        seen.append((event_name.rsplit(".", 1)[-1], headers))

    client.meta.events.register("before-send.s3", record)
    return seen


def signed_with_session(
    endpoint: str, method: str, path: str, creds: dict[str, Any], token: str | None, body: bytes = b""
) -> tuple[int, bytes]:
    """A request signed for s3express with session credentials, `token` in x-amz-s3session-token."""
    headers = {"x-amz-s3session-token": token} if token is not None else {}
    request = AWSRequest(method=method, url=endpoint + path, data=body, headers=headers)
    S3SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretAccessKey"]), "s3express", "us-east-1").add_auth(
        request
    )
    prepared = request.prepare()
    raw = urllib.request.Request(prepared.url, data=body or None, method=method, headers=dict(prepared.headers))
    try:
        with urllib.request.urlopen(raw, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


# -- creating, describing, listing and deleting directory buckets --------------------------------


def test_create_directory_bucket_answers_its_s3express_arn(s3: Any) -> None:
    name = directory_name()
    created = s3.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    try:
        assert created["BucketArn"] == f"arn:aws:s3express:us-east-1:000000000000:bucket/{name}"
    finally:
        s3.delete_bucket(Bucket=name)


def test_head_bucket_names_the_location_type_and_name(s3: Any, dbucket: str) -> None:
    head = s3.head_bucket(Bucket=dbucket)
    headers = head["ResponseMetadata"]["HTTPHeaders"]
    assert headers["x-amz-bucket-location-type"] == "AvailabilityZone"
    assert headers["x-amz-bucket-location-name"] == ZONE
    assert head["BucketRegion"] == "us-east-1"


def test_zone_in_the_name_must_be_the_location_of_the_bucket(s3: Any) -> None:
    name = directory_name("use1-az4")
    code, status, _ = error_of(s3.create_bucket, Bucket=name, CreateBucketConfiguration=directory_config("use1-az5"))
    assert (code, status) == ("InvalidBucketName", 400)


@pytest.mark.parametrize("name", [f"Upper--{ZONE}--x-s3", f"under_score--{ZONE}--x-s3", f"xn--abc--{ZONE}--x-s3",
                                  "noazid--x-s3", f"{'a' * 60}--{ZONE}--x-s3"])
def test_directory_bucket_naming_rules_are_enforced(s3: Any, name: str) -> None:
    code, status, _ = error_of(s3.create_bucket, Bucket=name, CreateBucketConfiguration=directory_config())
    assert (code, status) == ("InvalidBucketName", 400)


@pytest.mark.parametrize(
    ("location_type", "zone", "redundancy"),
    [
        ("LocalZone", ZONE, "SingleLocalZone"),  # an Availability Zone's id named as a Local Zone
        ("AvailabilityZone", "usw2-lax1-az1", "SingleAvailabilityZone"),  # and the other way round
        ("AvailabilityZone", ZONE, "SingleLocalZone"),
    ],
)
def test_a_zone_type_and_redundancy_that_do_not_go_together_are_refused(
    s3: Any, location_type: str, zone: str, redundancy: str
) -> None:
    # AWS's answer to the Terraform AWS provider's TestAccS3DirectoryBucket_defaultDataRedundancy.
    config = {"Location": {"Type": location_type, "Name": zone}, "Bucket": {"Type": "Directory", "DataRedundancy": redundancy}}
    assert error_of(s3.create_bucket, Bucket=directory_name(zone), CreateBucketConfiguration=config) == (
        "InvalidRequest", 400, "Invalid Data Redundancy value",
    )


def test_a_local_zone_directory_bucket_is_made(s3: Any) -> None:
    name = directory_name("usw2-lax1-az1")
    config = {"Location": {"Type": "LocalZone", "Name": "usw2-lax1-az1"},
              "Bucket": {"Type": "Directory", "DataRedundancy": "SingleLocalZone"}}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    try:
        head = s3.head_bucket(Bucket=name)
        assert (head["BucketLocationType"], head["BucketLocationName"]) == ("LocalZone", "usw2-lax1-az1")
    finally:
        s3.delete_bucket(Bucket=name)


def test_a_location_constraint_beside_the_zone_is_malformed(s3: Any) -> None:
    config = {**directory_config(), "LocationConstraint": "us-west-2"}
    code, status, _ = error_of(s3.create_bucket, Bucket=directory_name(), CreateBucketConfiguration=config)
    assert (code, status) == ("MalformedXML", 400)


def test_creating_an_existing_directory_bucket_again_is_already_owned(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.create_bucket, Bucket=dbucket, CreateBucketConfiguration=directory_config())
    assert (code, status) == ("BucketAlreadyOwnedByYou", 409)


def test_list_directory_buckets_lists_them_and_list_buckets_does_not(s3: Any, dbucket: str) -> None:
    general = unique_bucket("gp")
    s3.create_bucket(Bucket=general)
    try:
        listed = [b["Name"] for b in s3.list_directory_buckets()["Buckets"]]
        assert dbucket in listed and general not in listed
        entry = next(b for b in s3.list_directory_buckets()["Buckets"] if b["Name"] == dbucket)
        assert entry["BucketRegion"] == "us-east-1"
        assert entry["BucketArn"].startswith("arn:aws:s3express:us-east-1:")
        assert dbucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    finally:
        s3.delete_bucket(Bucket=general)


def test_list_directory_buckets_pages_with_max_and_continuation_token(s3: Any) -> None:
    names = sorted(directory_name() for _ in range(3))
    for name in names:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    try:
        seen: list[str] = []
        token = None
        for _ in range(50):
            page = s3.list_directory_buckets(MaxDirectoryBuckets=1, **({"ContinuationToken": token} if token else {}))
            assert len(page["Buckets"]) <= 1
            seen += [b["Name"] for b in page["Buckets"]]
            token = page.get("ContinuationToken")
            if not token:
                break
        assert [n for n in seen if n in names] == names
    finally:
        for name in names:
            s3.delete_bucket(Bucket=name)


def test_deleted_directory_bucket_is_gone(s3: Any) -> None:
    name = directory_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    s3.delete_bucket(Bucket=name)
    assert name not in [b["Name"] for b in s3.list_directory_buckets()["Buckets"]]
    assert error_of(s3.head_bucket, Bucket=name)[1] == 404


def test_non_empty_directory_bucket_is_not_deleted(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="k", Body=b"x")
    code, status, _ = error_of(s3.delete_bucket, Bucket=dbucket)
    assert (code, status) == ("BucketNotEmpty", 409)


def test_directory_bucket_with_an_upload_in_progress_is_not_deleted(s3: Any) -> None:
    # DeleteBucket: "If multipart uploads in a directory bucket are in progress, you can't delete the
    # bucket until all the in-progress multipart uploads are aborted or completed."
    name = directory_name()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    upload = s3.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
    code, status, _ = error_of(s3.delete_bucket, Bucket=name)
    assert (code, status) == ("BucketNotEmpty", 409)
    s3.abort_multipart_upload(Bucket=name, Key="k", UploadId=upload)
    s3.delete_bucket(Bucket=name)
    assert error_of(s3.head_bucket, Bucket=name)[1] == 404


def test_general_purpose_bucket_with_an_upload_in_progress_is_deleted(s3: Any) -> None:
    name = unique_bucket()
    s3.create_bucket(Bucket=name)
    s3.create_multipart_upload(Bucket=name, Key="k")
    s3.delete_bucket(Bucket=name)
    assert error_of(s3.head_bucket, Bucket=name)[1] == 404


# -- CreateSession and the session token ------------------------------------------------------------


def test_create_session_gives_credentials_valid_for_five_minutes(s3: Any, dbucket: str) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    creds = s3.create_session(Bucket=dbucket)["Credentials"]
    assert creds["AccessKeyId"] and creds["SecretAccessKey"] and creds["SessionToken"]
    assert before < creds["Expiration"] <= datetime.now(UTC) + timedelta(minutes=5)


def test_boto3_signs_object_calls_with_the_session_token(s3: Any, dbucket: str) -> None:
    seen = sent_headers(s3)
    s3.put_object(Bucket=dbucket, Key="k", Body=b"data")
    put = [headers for operation, headers in seen if operation == "PutObject"][0]
    assert "x-amz-s3session-token" in put
    assert "/s3express/aws4_request" in put["authorization"]
    assert s3.get_object(Bucket=dbucket, Key="k")["Body"].read() == b"data"


def test_create_session_of_a_general_purpose_bucket_is_no_such_bucket(s3: Any) -> None:
    general = unique_bucket("gp")
    s3.create_bucket(Bucket=general)
    try:
        code, status, _ = error_of(s3.create_session, Bucket=general)
        assert (code, status) == ("NoSuchBucket", 404)
    finally:
        s3.delete_bucket(Bucket=general)


def test_a_wrong_session_token_is_invalid(endpoint: str, s3: Any, dbucket: str) -> None:
    creds = s3.create_session(Bucket=dbucket)["Credentials"]
    status, body = signed_with_session(endpoint, "GET", f"/{dbucket}?list-type=2", creds, "not-the-token")
    assert status == 400 and b"<Code>InvalidToken</Code>" in body


def test_session_key_without_its_token_is_refused(endpoint: str, s3: Any, dbucket: str) -> None:
    creds = s3.create_session(Bucket=dbucket)["Credentials"]
    status, body = signed_with_session(endpoint, "GET", f"/{dbucket}?list-type=2", creds, None)
    assert status == 403 and b"<Code>InvalidAccessKeyId</Code>" in body


def test_session_token_works_with_its_own_credentials(endpoint: str, s3: Any, dbucket: str) -> None:
    creds = s3.create_session(Bucket=dbucket)["Credentials"]
    status, _ = signed_with_session(endpoint, "PUT", f"/{dbucket}/raw", creds, creds["SessionToken"], b"raw")
    assert status == 200
    assert s3.get_object(Bucket=dbucket, Key="raw")["Body"].read() == b"raw"


def test_a_session_is_scoped_to_its_bucket(endpoint: str, s3: Any, dbucket: str) -> None:
    other = directory_name()
    s3.create_bucket(Bucket=other, CreateBucketConfiguration=directory_config())
    try:
        creds = s3.create_session(Bucket=dbucket)["Credentials"]
        status, body = signed_with_session(endpoint, "GET", f"/{other}?list-type=2", creds, creds["SessionToken"])
        assert status == 403 and b"<Code>AccessDenied</Code>" in body
    finally:
        s3.delete_bucket(Bucket=other)


def test_read_only_session_reads_but_does_not_write(endpoint: str, s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="k", Body=b"v")
    creds = s3.create_session(Bucket=dbucket, SessionMode="ReadOnly")["Credentials"]
    token = creds["SessionToken"]
    assert signed_with_session(endpoint, "GET", f"/{dbucket}/k", creds, token) == (200, b"v")
    status, body = signed_with_session(endpoint, "PUT", f"/{dbucket}/k2", creds, token, b"w")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body


def test_iam_user_needs_s3express_create_session(endpoint: str, s3: Any, dbucket: str) -> None:
    _, denied = iam_user(endpoint)
    code, status, _ = error_of(denied.put_object, Bucket=dbucket, Key="k", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)


def test_iam_user_allowed_create_session_reads_and_writes(endpoint: str, s3: Any, dbucket: str) -> None:
    allow = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3express:CreateSession",
                "Resource": f"arn:aws:s3express:us-east-1:000000000000:bucket/{dbucket}",
            }
        ],
    }
    _, user = iam_user(endpoint, json.dumps(allow))
    user.put_object(Bucket=dbucket, Key="k", Body=b"mine")
    assert user.get_object(Bucket=dbucket, Key="k")["Body"].read() == b"mine"


def test_read_only_condition_gives_a_read_only_session(endpoint: str, s3: Any, dbucket: str) -> None:
    allow = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "s3express:CreateSession",
                "Resource": "*",
                "Condition": {"StringEquals": {"s3express:SessionMode": "ReadOnly"}},
            }
        ],
    }
    _, user = iam_user(endpoint, json.dumps(allow))
    s3.put_object(Bucket=dbucket, Key="k", Body=b"v")
    assert user.get_object(Bucket=dbucket, Key="k")["Body"].read() == b"v"  # ReadWrite refused, ReadOnly given
    code, status, _ = error_of(user.put_object, Bucket=dbucket, Key="k", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)


def test_iam_user_needs_s3express_create_bucket(endpoint: str) -> None:
    _, user = iam_user(endpoint, json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3express:CreateSession", "Resource": "*"}],
    }))
    code, status, _ = error_of(user.create_bucket, Bucket=directory_name(), CreateBucketConfiguration=directory_config())
    assert (code, status) == ("AccessDenied", 403)


# -- objects -------------------------------------------------------------------------------------------


def test_objects_are_stored_in_express_one_zone(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="a/b", Body=b"x")
    assert s3.head_object(Bucket=dbucket, Key="a/b")["StorageClass"] == "EXPRESS_ONEZONE"
    listed = s3.list_objects_v2(Bucket=dbucket)["Contents"]
    assert [(o["Key"], o["StorageClass"]) for o in listed] == [("a/b", "EXPRESS_ONEZONE")]


def test_put_object_naming_express_one_zone_is_taken(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="k", Body=b"x", StorageClass="EXPRESS_ONEZONE")
    assert s3.get_object(Bucket=dbucket, Key="k")["StorageClass"] == "EXPRESS_ONEZONE"


def test_put_object_naming_another_storage_class_is_refused(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.put_object, Bucket=dbucket, Key="k", Body=b"x", StorageClass="STANDARD")
    assert (code, status) == ("InvalidStorageClass", 400)


def test_list_objects_v2_groups_by_slash(s3: Any, dbucket: str) -> None:
    for key in ("top", "dir/one", "dir/two"):
        s3.put_object(Bucket=dbucket, Key=key, Body=b"x")
    listed = s3.list_objects_v2(Bucket=dbucket, Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["dir/"]
    assert [o["Key"] for o in listed["Contents"]] == ["top"]


def test_list_objects_v2_refuses_any_other_delimiter(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.list_objects_v2, Bucket=dbucket, Delimiter="-")
    assert (code, status) == ("InvalidArgument", 400)


def test_list_objects_v2_names_the_prefixes_of_in_progress_uploads(s3: Any, dbucket: str) -> None:
    # ListObjectsV2: "For directory buckets, ListObjectsV2 response includes the prefixes that are
    # related only to in-progress multipart uploads" (a general purpose bucket's does not).
    for key in ("a/x", "c/x", "top"):
        s3.put_object(Bucket=dbucket, Key=key, Body=b"x")
    for key in ("b/deep/k", "c/y", "d/k", "level-key"):
        s3.create_multipart_upload(Bucket=dbucket, Key=key)
    listed = s3.list_objects_v2(Bucket=dbucket, Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["a/", "b/", "c/", "d/"]
    assert [o["Key"] for o in listed["Contents"]] == ["top"]
    assert listed["KeyCount"] == 5
    assert [p["Prefix"] for p in s3.list_objects_v2(Bucket=dbucket, Delimiter="/", Prefix="b/")["CommonPrefixes"]] == [
        "b/deep/"
    ]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=dbucket)["Contents"]] == ["a/x", "c/x", "top"]
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=dbucket, Delimiter="/", MaxKeys=2))
    assert [[p["Prefix"] for p in page.get("CommonPrefixes", [])] for page in pages] == [["a/", "b/"], ["c/", "d/"], []]
    assert [[o["Key"] for o in page.get("Contents", [])] for page in pages] == [[], [], ["top"]]


def test_list_objects_v2_refuses_a_prefix_not_ending_in_a_slash(s3: Any, dbucket: str) -> None:
    # ListObjectsV2's Prefix: "For directory buckets, only prefixes that end in a delimiter (/) are
    # supported"; the error is the one S3 Express returned to aws-s3-transfer-manager-rs (PR 112).
    s3.put_object(Bucket=dbucket, Key="dir/one", Body=b"x")
    for delimiter in ({}, {"Delimiter": "/"}):
        code, status, message = error_of(s3.list_objects_v2, Bucket=dbucket, Prefix="dir", **delimiter)
        assert (code, status) == ("InvalidRequest", 400)
        assert message == (
            "This bucket does not support a prefix that does not end in a delimiter. "
            "Specify a prefix path ending with a delimiter and try again."
        )
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=dbucket, Prefix="dir/")["Contents"]] == ["dir/one"]


def test_list_objects_v2_takes_an_empty_delimiter_as_none(s3: Any, dbucket: str) -> None:
    # Mountpoint for S3 validates a bucket it mounts, directory buckets too, with
    # ?list-type=2&delimiter=&max-keys=0 and fails the mount on any error; s3fs's find sends
    # delimiter= as well. So S3 lists such a request as one without a delimiter.
    for key in ("top", "dir/one"):
        s3.put_object(Bucket=dbucket, Key=key, Body=b"x")
    assert s3.list_objects_v2(Bucket=dbucket, Delimiter="", MaxKeys=0)["KeyCount"] == 0
    listed = s3.list_objects_v2(Bucket=dbucket, Delimiter="")
    assert [o["Key"] for o in listed["Contents"]] == ["dir/one", "top"]
    assert "CommonPrefixes" not in listed


@pytest.mark.parametrize(
    "call",
    [
        lambda s3, b: s3.list_objects(Bucket=b),
        lambda s3, b: s3.list_object_versions(Bucket=b),
        lambda s3, b: s3.get_bucket_versioning(Bucket=b),
        lambda s3, b: s3.get_bucket_acl(Bucket=b),
        lambda s3, b: s3.get_object_lock_configuration(Bucket=b),
        lambda s3, b: s3.put_object_tagging(Bucket=b, Key="k", Tagging={"TagSet": []}),
        lambda s3, b: s3.put_object_annotation(Bucket=b, Key="k", AnnotationName="n", AnnotationPayload=b"v"),
        lambda s3, b: s3.copy_object(
            Bucket=b, Key="copy", CopySource={"Bucket": b, "Key": "k"}, AnnotationDirective="COPY"
        ),
    ],
    ids=["ListObjects", "ListObjectVersions", "GetBucketVersioning", "GetBucketAcl",
         "GetObjectLockConfiguration", "PutObjectTagging", "PutObjectAnnotation", "CopyObject-annotations"],
)
def test_features_directory_buckets_lack_are_not_implemented(s3: Any, dbucket: str, call: Any) -> None:
    code, status, _ = error_of(call, s3, dbucket)
    assert (code, status) == ("NotImplemented", 501)


@pytest.mark.parametrize(
    ("root", "call"),
    [
        ("VersioningConfiguration", lambda s3, b: s3.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})),
        ("CORSConfiguration", lambda s3, b: s3.put_bucket_cors(
            Bucket=b, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})),
        ("OwnershipControls", lambda s3, b: s3.put_bucket_ownership_controls(
            Bucket=b, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})),
        ("BucketLoggingStatus", lambda s3, b: s3.put_bucket_logging(Bucket=b, BucketLoggingStatus={})),
        ("Tagging", lambda s3, b: s3.put_bucket_tagging(Bucket=b, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})),
        ("WebsiteConfiguration", lambda s3, b: s3.put_bucket_website(
            Bucket=b, WebsiteConfiguration={"IndexDocument": {"Suffix": "i"}})),
    ],
    ids=["versioning", "cors", "ownership", "logging", "tagging", "website"],
)
def test_a_configuration_directory_buckets_lack_is_refused_as_no_create_bucket(
    s3: Any, dbucket: str, root: str, call: Any
) -> None:
    # Its endpoint reads the PUT as CreateBucket: "VersioningConfiguration is not valid, expected
    # CreateBucketConfiguration", which the Terraform AWS provider matches to report directory buckets.
    assert error_of(call, s3, dbucket) == (
        "InvalidArgument", 400, f"{root} is not valid, expected CreateBucketConfiguration",
    )


def test_a_copy_that_excludes_annotations_works(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="k", Body=b"x")
    s3.copy_object(Bucket=dbucket, Key="copy", CopySource={"Bucket": dbucket, "Key": "k"}, AnnotationDirective="EXCLUDE")
    assert s3.get_object(Bucket=dbucket, Key="copy")["Body"].read() == b"x"


def test_put_object_with_an_acl_is_not_implemented(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.put_object, Bucket=dbucket, Key="k", Body=b"x", ACL="public-read")
    assert (code, status) == ("NotImplemented", 501)


def test_multipart_upload_completes(s3: Any, dbucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=dbucket, Key="big")["UploadId"]
    part = s3.upload_part(Bucket=dbucket, Key="big", UploadId=upload, PartNumber=1, Body=b"p" * 100)
    assert s3.list_parts(Bucket=dbucket, Key="big", UploadId=upload)["StorageClass"] == "EXPRESS_ONEZONE"
    s3.complete_multipart_upload(
        Bucket=dbucket, Key="big", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.get_object(Bucket=dbucket, Key="big")["Body"].read() == b"p" * 100


def test_multipart_parts_must_be_numbered_from_1_without_a_gap(s3: Any, dbucket: str) -> None:
    # "Directory buckets - In CompleteMultipartUpload, the PartNumber must start at 1 and the part
    # numbers must be consecutive" (CompletedPart, PartNumber, in the S3 API reference).
    upload = s3.create_multipart_upload(Bucket=dbucket, Key="gap")["UploadId"]
    parts = []
    for number, data in ((1, b"p" * (5 * 1024 * 1024)), (3, b"tail")):
        done = s3.upload_part(Bucket=dbucket, Key="gap", UploadId=upload, PartNumber=number, Body=data)
        parts.append({"PartNumber": number, "ETag": done["ETag"]})
    code, status, _ = error_of(s3.complete_multipart_upload, Bucket=dbucket, Key="gap", UploadId=upload,
                               MultipartUpload={"Parts": parts})
    assert (code, status) == ("InvalidPartOrder", 400)


def test_copy_object_within_a_directory_bucket(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="src", Body=b"copied")
    s3.copy_object(Bucket=dbucket, Key="dst", CopySource={"Bucket": dbucket, "Key": "src"})
    assert s3.get_object(Bucket=dbucket, Key="dst")["Body"].read() == b"copied"


def test_delete_objects_in_a_directory_bucket(s3: Any, dbucket: str) -> None:
    for key in ("a", "b"):
        s3.put_object(Bucket=dbucket, Key=key, Body=b"x")
    deleted = s3.delete_objects(Bucket=dbucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}]})["Deleted"]
    assert sorted(d["Key"] for d in deleted) == ["a", "b"]
    assert s3.list_objects_v2(Bucket=dbucket)["KeyCount"] == 0


def test_put_object_answers_no_version_id(s3: Any, dbucket: str) -> None:
    assert "VersionId" not in s3.put_object(Bucket=dbucket, Key="k", Body=b"x")


# -- RenameObject ----------------------------------------------------------------------------------


def test_rename_object_moves_the_object_and_keeps_its_metadata(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="old", Body=b"body", Metadata={"m": "1"}, ContentType="text/plain")
    before = s3.head_object(Bucket=dbucket, Key="old")
    s3.rename_object(Bucket=dbucket, Key="new", RenameSource="old")
    after = s3.head_object(Bucket=dbucket, Key="new")
    assert (after["ETag"], after["Metadata"], after["ContentType"], after["LastModified"]) == (
        before["ETag"], {"m": "1"}, "text/plain", before["LastModified"]
    )
    assert s3.get_object(Bucket=dbucket, Key="new")["Body"].read() == b"body"
    assert error_of(s3.head_object, Bucket=dbucket, Key="old")[1] == 404


def test_rename_object_replaces_the_destination(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="src", Body=b"new")
    s3.put_object(Bucket=dbucket, Key="dst", Body=b"old")
    s3.rename_object(Bucket=dbucket, Key="dst", RenameSource="src")
    assert s3.get_object(Bucket=dbucket, Key="dst")["Body"].read() == b"new"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=dbucket)["Contents"]] == ["dst"]


def test_rename_object_if_none_match_keeps_an_existing_destination(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="src", Body=b"new")
    s3.put_object(Bucket=dbucket, Key="dst", Body=b"old")
    code, status, _ = error_of(s3.rename_object, Bucket=dbucket, Key="dst", RenameSource="src",
                               DestinationIfNoneMatch="*")
    assert (code, status) == ("PreconditionFailed", 412)
    assert s3.get_object(Bucket=dbucket, Key="src")["Body"].read() == b"new"


def test_rename_object_source_if_match_must_match(s3: Any, dbucket: str) -> None:
    s3.put_object(Bucket=dbucket, Key="src", Body=b"x")
    code, status, _ = error_of(s3.rename_object, Bucket=dbucket, Key="dst", RenameSource="src",
                               SourceIfMatch='"0123456789abcdef0123456789abcdef"')
    assert (code, status) == ("PreconditionFailed", 412)


def test_rename_object_of_a_missing_source_is_no_such_key(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.rename_object, Bucket=dbucket, Key="dst", RenameSource="missing")
    assert (code, status) == ("NoSuchKey", 404)


def test_rename_object_in_a_general_purpose_bucket_is_not_implemented(s3: Any) -> None:
    general = unique_bucket("gp")
    s3.create_bucket(Bucket=general)
    try:
        s3.put_object(Bucket=general, Key="src", Body=b"x")
        code, status, _ = error_of(s3.rename_object, Bucket=general, Key="dst", RenameSource="src")
        assert (code, status) == ("NotImplemented", 501)
    finally:
        s3.delete_object(Bucket=general, Key="src")
        s3.delete_bucket(Bucket=general)


# -- the AWS CLI -------------------------------------------------------------------------------------


def test_aws_cli_copies_to_and_lists_a_directory_bucket(aws_env: dict[str, str], s3: Any, dbucket: str,
                                                         tmp_path: Any) -> None:
    source = tmp_path / "f.txt"
    source.write_text("hello")

    def aws(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "awscli", *args], env=aws_env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    aws("s3", "cp", str(source), f"s3://{dbucket}/dir/f.txt")
    assert "PRE dir/" in aws("s3", "ls", f"s3://{dbucket}/")
    assert "f.txt" in aws("s3", "ls", f"s3://{dbucket}/dir/")
    assert aws("s3", "cp", f"s3://{dbucket}/dir/f.txt", "-") == "hello"


# -- bucket policy and encryption ------------------------------------------------------------------


def test_directory_bucket_policy_names_s3express_actions_on_its_arn(s3: Any, dbucket: str) -> None:
    arn = f"arn:aws:s3express:us-east-1:000000000000:bucket/{dbucket}"
    document = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                       "Action": "s3express:CreateSession", "Resource": arn}],
    })
    s3.put_bucket_policy(Bucket=dbucket, Policy=document)
    assert json.loads(s3.get_bucket_policy(Bucket=dbucket)["Policy"]) == json.loads(document)


def test_directory_bucket_policy_with_an_s3_resource_is_malformed(s3: Any, dbucket: str) -> None:
    document = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{dbucket}/*"}],
    })
    code, status, _ = error_of(s3.put_bucket_policy, Bucket=dbucket, Policy=document)
    assert (code, status) == ("MalformedPolicy", 400)


def test_sse_c_is_not_implemented_for_directory_buckets(s3: Any, dbucket: str) -> None:
    code, status, _ = error_of(s3.put_object, Bucket=dbucket, Key="k", Body=b"x",
                               SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32)
    assert (code, status) == ("NotImplemented", 501)


def _session_policy(effect: str, principal: str, bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Principal": {"AWS": principal}, "Action": "s3express:CreateSession",
                       "Resource": f"arn:aws:s3express:us-east-1:{ROOT_ACCOUNT}:bucket/{bucket}"}],
    })


def test_a_bucket_policy_grants_a_user_of_the_account_a_session(endpoint: str, s3: Any, dbucket: str) -> None:
    arn, user = iam_user(endpoint)  # no identity policy at all
    s3.put_bucket_policy(Bucket=dbucket, Policy=_session_policy("Allow", arn, dbucket))
    user.put_object(Bucket=dbucket, Key="k", Body=b"granted")
    assert user.get_object(Bucket=dbucket, Key="k")["Body"].read() == b"granted"


def test_a_bucket_policy_deny_wins_over_the_users_allow(endpoint: str, s3: Any, dbucket: str) -> None:
    allow = json.dumps({"Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3express:*", "Resource": "*"}]})
    arn, user = iam_user(endpoint, allow)
    s3.put_bucket_policy(Bucket=dbucket, Policy=_session_policy("Deny", arn, dbucket))
    code, status, _ = error_of(user.put_object, Bucket=dbucket, Key="k", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)
    s3.put_object(Bucket=dbucket, Key="k", Body=b"root")  # the deny names the user alone


def test_the_owners_root_denied_by_the_policy_can_still_remove_it(endpoint: str, s3: Any, dbucket: str) -> None:
    s3.put_bucket_policy(Bucket=dbucket, Policy=_session_policy("Deny", f"arn:aws:iam::{ROOT_ACCOUNT}:root", dbucket))
    # A new client (`s3` holds the session it opened to create the bucket, good for five minutes),
    # signing without sessions: pointed at a custom endpoint the SDK would open one even for the
    # Regional call DeleteBucketPolicy, which AWS serves without.
    root = make_client(endpoint, "s3", s3={"disable_s3_express_session_auth": True})
    code, status, _ = error_of(root.put_object, Bucket=dbucket, Key="k", Body=b"x")
    assert (code, status) == ("AccessDenied", 403)
    root.delete_bucket_policy(Bucket=dbucket)
    root.put_object(Bucket=dbucket, Key="k", Body=b"x")
    assert root.get_object(Bucket=dbucket, Key="k")["Body"].read() == b"x"


def test_another_account_needs_the_bucket_policy(two_accounts: ServerProcess) -> None:
    owner = make_client(two_accounts.endpoint, "s3")
    outsider = make_client(two_accounts.endpoint, "s3", key=OTHER_KEY, secret=OTHER_SECRET)
    name = directory_name()
    owner.create_bucket(Bucket=name, CreateBucketConfiguration=directory_config())
    try:
        owner.put_object(Bucket=name, Key="k", Body=b"owned")
        assert error_of(outsider.get_object, Bucket=name, Key="k") == ("AccessDenied", 403, "Access Denied")
        owner.put_bucket_policy(Bucket=name, Policy=_session_policy("Allow", f"arn:aws:iam::{OTHER_ACCOUNT}:root", name))
        assert outsider.get_object(Bucket=name, Key="k")["Body"].read() == b"owned"
    finally:
        empty_directory_bucket(owner, name)


def test_a_directory_buckets_lifecycle_names_no_transition_minimum_size(s3: Any, dbucket: str) -> None:
    # TransitionDefaultMinimumObjectSize: "This parameter applies to general purpose buckets only. It isn't
    # supported for directory bucket lifecycle configurations" (PutBucketLifecycleConfiguration).
    rules = {"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "logs/"}, "Expiration": {"Days": 1}}]}
    put = s3.put_bucket_lifecycle_configuration(Bucket=dbucket, LifecycleConfiguration=rules)
    assert "TransitionDefaultMinimumObjectSize" not in put
    got = s3.get_bucket_lifecycle_configuration(Bucket=dbucket)
    assert "TransitionDefaultMinimumObjectSize" not in got
    assert got["Rules"][0]["Expiration"] == {"Days": 1}
    s3.delete_bucket_lifecycle(Bucket=dbucket)


def test_a_directory_bucket_answers_expiration_not_implemented(s3: Any, dbucket: str) -> None:
    """x-amz-expiration: "Object expiration information is not returned in directory buckets and this
    header returns the value "NotImplemented" in all responses for directory buckets" (PutObject,
    CopyObject, GetObject, HeadObject); CompleteMultipartUpload names none."""
    put = s3.put_object(Bucket=dbucket, Key="source", Body=b"data")
    copied = s3.copy_object(Bucket=dbucket, Key="copy", CopySource={"Bucket": dbucket, "Key": "source"})
    got = s3.get_object(Bucket=dbucket, Key="copy")
    head = s3.head_object(Bucket=dbucket, Key="copy")
    assert [r.get("Expiration") for r in (put, copied, got, head)] == ["NotImplemented"] * 4
    upload = s3.create_multipart_upload(Bucket=dbucket, Key="parts")["UploadId"]
    part = s3.upload_part(Bucket=dbucket, Key="parts", UploadId=upload, PartNumber=1, Body=b"x")
    done = s3.complete_multipart_upload(
        Bucket=dbucket,
        Key="parts",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert "Expiration" not in done
