"""S3 event notifications checked against answers recorded from AWS.

Where the recorded answers come from:
- LocalStack's AWS-validated snapshots (github.com/localstack/localstack,
  tests/aws/services/s3/test_s3_notifications_sqs.snapshot.json, ..._lambda.snapshot.json and
  test_s3_notifications_eventbridge.py): the records S3 sends for each operation, member by
  member, and the configuration S3 keeps. The requests here are the recorded tests' requests.
- AWS's own answers quoted in public issue threads: "Configurations overlap..." with its
  ArgumentName/ArgumentValue (minio/minio#2472), "Configuration is ambiguously defined..."
  (aws/aws-cli#2387), "The notification destination service region is not valid..."
  (cloud-custodian/cloud-custodian#1720).
- The Amazon S3 User Guide, "Configuring event notifications using object key name filtering"
  (which configurations overlap; filter values are compared with the URL-encoded key) and
  "Event message structure" (responseElements are the triggering answer's request ids; owners
  are named by their short Amazon customer ID).
- The API Reference of PutBucketNotificationConfiguration: S3 validates each SQS/SNS destination
  by sending it a test notification, unless SkipDestinationValidation.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError

from tests.conftest import make_client
from tests.services.s3.core_support import empty_and_delete, queue_s3_may_send_to, unique_bucket

# A record's members in the order S3 writes them (the recorded message bodies, unsorted).
RECORD_ORDER = [
    "eventVersion",
    "eventSource",
    "awsRegion",
    "eventTime",
    "eventName",
    "userIdentity",
    "requestParameters",
    "responseElements",
    "s3",
]
S3_ORDER = ["s3SchemaVersion", "configurationId", "bucket", "object"]
AMBIGUOUS = (
    "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules "
    "if the prefixes are overlapping for the same event type."
)


@pytest.fixture(scope="module")
def sqs(endpoint: str) -> Any:
    return make_client(endpoint, "sqs")


def wire(s3: Any, sqs: Any, bucket: str, events: list[str], **extra: Any) -> str:
    """A queue S3 may send to, configured for `events` of `bucket`; its URL."""
    url, arn = queue_s3_may_send_to(sqs, "rec", bucket)
    config = {"QueueConfigurations": [{"QueueArn": arn, "Events": events, **extra}]}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    return url


def records(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    """The first `count` records on the queue (S3's test event left out), in arrival order."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            found.extend(json.loads(message["Body"]).get("Records", []))
    assert len(found) >= count, found
    return found


def nothing_more(sqs: Any, url: str) -> bool:
    """True when the queue holds no further message (events are queued before S3 answers)."""
    return not sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages")


def put_error(s3: Any, bucket: str, config: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(info.value.response["Error"])


def rules(**values: str) -> dict[str, Any]:
    return {"Key": {"FilterRules": [{"Name": name, "Value": value} for name, value in values.items()]}}


# -- configuration: overlapping configurations -----------------------------------------------


def test_two_unfiltered_configurations_sharing_an_event_are_refused(s3: Any, sqs: Any, bucket: str) -> None:
    _, arn = queue_s3_may_send_to(sqs, "rec", bucket)
    same = {"QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}
    assert put_error(s3, bucket, {"QueueConfigurations": [same, dict(same)]}) == {
        "Code": "InvalidArgument",
        "Message": "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
        "ArgumentName": "Event",
        "ArgumentValue": "s3:ObjectRemoved:*, s3:ObjectRemoved:*",
    }


def test_a_filtered_configuration_within_an_unfiltered_one_is_ambiguous(
    s3: Any, sqs: Any, bucket: str
) -> None:
    _, first = queue_s3_may_send_to(sqs, "rec", bucket)
    _, second = queue_s3_may_send_to(sqs, "rec", bucket)
    config = {
        "QueueConfigurations": [
            {
                "Id": "imagesapi",
                "QueueArn": first,
                "Events": ["s3:ObjectCreated:Put"],
                "Filter": rules(prefix="images-api/"),
            },
            {"Id": "upload", "QueueArn": second, "Events": ["s3:ObjectCreated:*"]},
        ]
    }
    error = put_error(s3, bucket, config)
    assert (error["Code"], error["Message"]) == ("InvalidArgument", AMBIGUOUS)


def test_suffixes_one_string_can_end_with_both_overlap(s3: Any, sqs: Any, bucket: str) -> None:
    _, first = queue_s3_may_send_to(sqs, "rec", bucket)
    _, second = queue_s3_may_send_to(sqs, "rec", bucket)
    config = {
        "QueueConfigurations": [
            {"QueueArn": first, "Events": ["s3:ObjectCreated:*"], "Filter": rules(suffix="jpg")},
            {"QueueArn": second, "Events": ["s3:ObjectCreated:Put"], "Filter": rules(suffix="pg")},
        ]
    }
    assert put_error(s3, bucket, config)["Message"] == AMBIGUOUS


def test_configurations_that_cannot_claim_the_same_event_are_accepted(s3: Any, sqs: Any, bucket: str) -> None:
    _, first = queue_s3_may_send_to(sqs, "rec", bucket)
    _, second = queue_s3_may_send_to(sqs, "rec", bucket)
    accepted = [
        # One prefix, suffixes no key can end with both.
        [
            ("s3:ObjectCreated:Put", rules(prefix="images", suffix=".jpg")),
            ("s3:ObjectCreated:Put", rules(prefix="images", suffix=".png")),
        ],
        # Prefixes no key can start with both.
        [
            ("s3:ObjectCreated:*", rules(prefix="AWSLogs/", suffix=".log")),
            ("s3:ObjectCreated:*", rules(prefix="OtherLogs/", suffix=".log")),
        ],
        # The same filter for events of different types.
        [("s3:ObjectCreated:Put", rules(prefix="image/")), ("s3:ObjectRemoved:*", rules(prefix="image/"))],
    ]
    for pair in accepted:
        config = {
            "QueueConfigurations": [
                {"QueueArn": arn, "Events": [event], "Filter": key_filter}
                for arn, (event, key_filter) in zip((first, second), pair, strict=True)
            ]
        }
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        assert len(s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]) == 2


def test_a_destination_in_another_region_is_refused(s3: Any, sqs: Any) -> None:
    name = unique_bucket("rec-eu")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    try:
        _, arn = queue_s3_may_send_to(sqs, "rec", name)  # a us-east-1 queue
        error = put_error(
            s3, name, {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
        )
        assert (error["Code"], error["Message"]) == (
            "InvalidArgument",
            "The notification destination service region is not valid for the bucket location constraint",
        )
    finally:
        empty_and_delete(s3, name)


def test_form_errors_come_before_missing_destinations(s3: Any, bucket: str) -> None:
    missing = "arn:aws:sqs:us-east-1:000000000000:my-queue"
    config = {
        "QueueConfigurations": [
            {"Id": "id1", "Events": ["s3:ObjectCreated:*"], "QueueArn": missing},
            {"Id": "id2", "Events": ["s3:ObjectRemoved:*"], "QueueArn": "invalid_arn_2"},
        ]
    }
    error = put_error(s3, bucket, config)
    assert (error["Message"], error["ArgumentName"], error["ArgumentValue"]) == (
        "The ARN could not be parsed",
        "Queue",
        "invalid_arn_2",
    )


def test_a_missing_topic_is_named_as_missing(s3: Any, bucket: str) -> None:
    arn = "arn:aws:sns:us-east-1:000000000000:no-such-topic"
    error = put_error(
        s3, bucket, {"TopicConfigurations": [{"TopicArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    )
    assert error == {
        "Code": "InvalidArgument",
        "Message": "Unable to validate the following destination configurations",
        "ArgumentName1": arn,
        "ArgumentValue1": "The destination topic does not exist",
    }


def test_every_validated_put_sends_each_queue_a_test_event(s3: Any, sqs: Any, bucket: str) -> None:
    url, arn = queue_s3_may_send_to(sqs, "rec", bucket)
    config = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    for skip in (False, False, True):
        s3.put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=config, SkipDestinationValidation=skip
        )
    bodies: list[dict[str, Any]] = []
    for _ in range(5):  # the test events are queued before S3 answers: a few receives drain them
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            assert message["Body"].startswith('{"Service":"Amazon S3","Event":"s3:TestEvent",')  # S3's compact JSON
            bodies.append(json.loads(message["Body"]))
    assert len(bodies) == 2
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    [event] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
    assert event["Body"].startswith('{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3",')
    for body in bodies:
        assert list(body) == ["Service", "Event", "Time", "Bucket", "RequestId", "HostId"]
        assert (body["Service"], body["Event"], body["Bucket"]) == ("Amazon S3", "s3:TestEvent", bucket)


def test_a_test_event_names_the_request_that_configured_it(s3: Any, sqs: Any, bucket: str) -> None:
    # The put that validates the queue is the request the test event leads back to, as an
    # event's request ids are those of the answer that caused it.
    first_url, first = queue_s3_may_send_to(sqs, "rec", bucket)
    second_url, second = queue_s3_may_send_to(sqs, "rec", bucket)
    config = {
        "QueueConfigurations": [
            {"QueueArn": first, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": second, "Events": ["s3:ObjectRemoved:*"]},
        ]
    }
    answer = s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    headers = answer["ResponseMetadata"]["HTTPHeaders"]
    for url in (first_url, second_url):
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        body = json.loads(message["Body"])
        assert (body["RequestId"], body["HostId"]) == (headers["x-amz-request-id"], headers["x-amz-id-2"])


# -- configuration: what S3 keeps -----------------------------------------------------------


def test_a_filtered_configuration_is_kept_as_sent_and_filters_events(s3: Any, sqs: Any, bucket: str) -> None:
    url, arn = queue_s3_may_send_to(sqs, "rec", bucket)
    key_filter = rules(Prefix="testupload/", Suffix="testfile.txt")
    configurations = [
        {
            "Id": "id0001",
            "QueueArn": arn,
            "Events": ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
            "Filter": key_filter,
        },
        {"Id": "id0002", "QueueArn": arn, "Events": ["s3:ObjectTagging:*"], "Filter": key_filter},
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configurations}
    )
    kept = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert kept["QueueConfigurations"] == [
        {"Id": c["Id"], "QueueArn": arn, "Events": c["Events"], "Filter": key_filter} for c in configurations
    ]
    s3.put_object(Bucket=bucket, Key="/testdata", Body=b'{"test": "bucket_notification1"}')
    s3.put_object(Bucket=bucket, Key="testupload/dir1/testfile.txt", Body=b'{"test": "bucket_notification2"}')
    (record,) = records(sqs, url, 1)
    assert record["s3"]["configurationId"] == "id0001"
    assert record["s3"]["object"]["key"] == "testupload/dir1/testfile.txt"
    assert (record["s3"]["object"]["size"], record["s3"]["object"]["eTag"]) == (
        32,
        "f527a5c9f427867aeaf091c134949aa0",
    )
    assert nothing_more(sqs, url)


def test_an_eventbridge_configuration_is_kept_and_an_empty_one_clears_it(s3: Any, bucket: str) -> None:
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    kept = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert {k: v for k, v in kept.items() if k != "ResponseMetadata"} == {"EventBridgeConfiguration": {}}
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    kept = s3.get_bucket_notification_configuration(Bucket=bucket)
    assert list(kept) == ["ResponseMetadata"]


# -- event records --------------------------------------------------------------------------


def test_a_put_record_in_a_versioned_bucket_has_s3s_members_in_s3s_order(
    s3: Any, sqs: Any, versioned_bucket: str
) -> None:
    url = wire(s3, sqs, versioned_bucket, ["s3:ObjectCreated:Put"])
    put = s3.put_object(Bucket=versioned_bucket, Key="my_key_0", Body=b"something")
    (record,) = records(sqs, url, 1)
    assert list(record) == RECORD_ORDER
    assert list(record["s3"]) == S3_ORDER
    assert list(record["s3"]["bucket"]) == ["name", "ownerIdentity", "arn"]
    assert record["s3"]["object"] == {
        "key": "my_key_0",
        "size": 9,
        "eTag": "437b930db84b8079c2dd804a71936b5f",
        "versionId": put["VersionId"],
        "sequencer": record["s3"]["object"]["sequencer"],
    }
    assert list(record["s3"]["object"]) == ["key", "size", "eTag", "versionId", "sequencer"]
    assert (record["eventVersion"], record["eventSource"], record["eventName"]) == (
        "2.1",
        "aws:s3",
        "ObjectCreated:Put",
    )
    assert record["s3"]["s3SchemaVersion"] == "1.0"
    assert list(record["responseElements"]) == ["x-amz-request-id", "x-amz-id-2"]


def test_an_events_request_ids_are_those_of_the_answer_that_caused_it(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    headers = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ResponseMetadata"]["HTTPHeaders"]
    (record,) = records(sqs, url, 1)
    assert record["responseElements"] == {
        "x-amz-request-id": headers["x-amz-request-id"],
        "x-amz-id-2": headers["x-amz-id-2"],
    }


def test_owner_and_root_caller_are_named_by_the_short_amazon_customer_id(
    s3: Any, sqs: Any, bucket: str
) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    (record,) = records(sqs, url, 1)
    owner = record["s3"]["bucket"]["ownerIdentity"]["principalId"]
    assert re.fullmatch(r"A[A-Z0-9]{13}", owner)  # not the 64-hex canonical user ID of ACLs
    assert owner != s3.list_buckets()["Owner"]["ID"]
    assert record["userIdentity"] == {"principalId": owner}  # the bucket owner's root user put it


def test_iam_users_and_role_sessions_are_named_by_their_unique_ids(
    s3: Any, sqs: Any, endpoint: str, bucket: str
) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    iam = make_client(endpoint, "iam")
    name = f"rec-{uuid.uuid4().hex[:8]}"
    allow_all = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    )
    user = iam.create_user(UserName=name)["User"]
    iam.put_user_policy(UserName=name, PolicyName="all", PolicyDocument=allow_all)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = {"key": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=allow_all)
    make_client(endpoint, "s3", **as_user).put_object(Bucket=bucket, Key="by-user", Body=b"x")
    session = make_client(endpoint, "sts", **as_user).assume_role(RoleArn=role["Arn"], RoleSessionName="sess")
    credentials = session["Credentials"]
    as_role = make_client(
        endpoint,
        "s3",
        key=credentials["AccessKeyId"],
        secret=credentials["SecretAccessKey"],
        token=credentials["SessionToken"],
    )
    as_role.put_object(Bucket=bucket, Key="by-role", Body=b"x")
    found = {r["s3"]["object"]["key"]: r["userIdentity"]["principalId"] for r in records(sqs, url, 2)}
    assert found == {"by-user": f"AWS:{user['UserId']}", "by-role": f"AWS:{role['RoleId']}:sess"}


def test_copy_put_and_delete_records_in_an_unversioned_bucket(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    s3.put_object(Bucket=bucket, Key="src", Body=b"something")
    s3.copy_object(Bucket=bucket, CopySource={"Bucket": bucket, "Key": "src"}, Key="dest")
    s3.delete_object(Bucket=bucket, Key="src")
    put, copy, delete = records(sqs, url, 3)
    assert [r["eventName"] for r in (put, copy, delete)] == [
        "ObjectCreated:Put",
        "ObjectCreated:Copy",
        "ObjectRemoved:Delete",
    ]
    for record, key in ((put, "src"), (copy, "dest")):
        assert {k: v for k, v in record["s3"]["object"].items() if k != "sequencer"} == {
            "key": key,
            "size": 9,
            "eTag": "437b930db84b8079c2dd804a71936b5f",
        }
    assert list(delete["s3"]["object"]) == ["key", "sequencer"]
    assert delete["s3"]["object"]["key"] == "src"


def test_a_multi_delete_notifies_every_key_even_those_that_did_not_exist(
    s3: Any, sqs: Any, bucket: str
) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectRemoved:*"])
    s3.put_object(Bucket=bucket, Key="key-1", Body=b"something")
    s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "key-1"}, {"Key": "dummy1"}, {"Key": "dummy2"}], "Quiet": True},
    )
    found = records(sqs, url, 3)
    assert sorted((r["eventName"], r["s3"]["object"]["key"]) for r in found) == [
        ("ObjectRemoved:Delete", "dummy1"),
        ("ObjectRemoved:Delete", "dummy2"),
        ("ObjectRemoved:Delete", "key-1"),
    ]
    assert all(list(r["s3"]["object"]) == ["key", "sequencer"] for r in found)


def test_a_completed_multipart_upload_record_has_the_multipart_etag(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    upload = s3.create_multipart_upload(Bucket=bucket, Key="test-key")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="test-key", UploadId=upload, PartNumber=1, Body=b"1" * 6144)[
        "ETag"
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="test-key",
        UploadId=upload,
        MultipartUpload={"Parts": [{"ETag": etag, "PartNumber": 1}]},
    )
    (record,) = records(sqs, url, 1)
    assert record["eventName"] == "ObjectCreated:CompleteMultipartUpload"
    assert {k: v for k, v in record["s3"]["object"].items() if k != "sequencer"} == {
        "key": "test-key",
        "size": 6144,
        "eTag": "8eabe9d6b43316e840b079170916c079-1",
    }


def test_a_key_is_url_encoded_in_the_record(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    s3.put_object(Bucket=bucket, Key="a@b", Body=b"something")
    (record,) = records(sqs, url, 1)
    assert record["s3"]["object"]["key"] == "a%40b"


def test_filter_values_are_matched_against_the_url_encoded_key(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"], Filter=rules(prefix="my+photos/"))
    s3.put_object(Bucket=bucket, Key="my+photos/plus.jpg", Body=b"x")  # encoded: my%2Bphotos/...
    s3.put_object(Bucket=bucket, Key="my photos/space.jpg", Body=b"x")  # encoded: my+photos/...
    (record,) = records(sqs, url, 1)
    assert record["s3"]["object"]["key"] == "my+photos/space.jpg"
    assert nothing_more(sqs, url)


def test_every_acl_change_sends_an_event_and_the_acl_in_force_none(s3: Any, sqs: Any, bucket: str) -> None:
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    url = wire(s3, sqs, bucket, ["s3:ObjectAcl:Put"])
    s3.put_object(Bucket=bucket, Key="my_key_acl", Body=b"something")
    owner = s3.list_buckets()["Owner"]
    s3.put_object_acl(Bucket=bucket, Key="my_key_acl", ACL="private")
    s3.put_object_acl(Bucket=bucket, Key="my_key_acl", ACL="public-read")
    s3.put_object_acl(
        Bucket=bucket, Key="my_key_acl", GrantRead='uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'
    )
    log_delivery = {"URI": "http://acs.amazonaws.com/groups/s3/LogDelivery", "Type": "Group"}
    acp = {
        "Owner": owner,
        "Grants": [
            {"Grantee": {"ID": owner["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
            {"Grantee": log_delivery, "Permission": "WRITE"},
        ],
    }
    s3.put_object_acl(Bucket=bucket, Key="my_key_acl", AccessControlPolicy=acp)
    found = records(sqs, url, 3)
    assert [(r["eventName"], r["eventVersion"]) for r in found] == [("ObjectAcl:Put", "2.3")] * 3
    assert all(
        r["s3"]["object"] == {"key": "my_key_acl", "eTag": "437b930db84b8079c2dd804a71936b5f"} for r in found
    )
    assert nothing_more(sqs, url)


def test_a_presigned_post_sends_object_created_post(s3: Any, sqs: Any, bucket: str) -> None:
    url = wire(s3, sqs, bucket, ["s3:ObjectCreated:*"])
    post = s3.generate_presigned_post(Bucket=bucket, Key="posted")
    answer = requests.post(post["url"], data=post["fields"], files={"file": b"by post method 1"}, timeout=10)
    assert answer.status_code == 204
    (record,) = records(sqs, url, 1)
    assert record["eventName"] == "ObjectCreated:Post"
    assert (record["s3"]["object"]["key"], record["s3"]["object"]["size"]) == ("posted", 16)


@pytest.fixture
def eu_bucket(s3: Any) -> Iterator[str]:
    name = unique_bucket("rec-eu")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    yield name
    empty_and_delete(s3, name)


def test_a_records_region_is_the_buckets_whatever_the_clients(s3: Any, endpoint: str, eu_bucket: str) -> None:
    eu_sqs = make_client(endpoint, "sqs", region="eu-west-1")
    url = wire(s3, eu_sqs, eu_bucket, ["s3:ObjectCreated:*"])
    presigned = s3.generate_presigned_url(
        "put_object", Params={"Bucket": eu_bucket, "Key": "key-by-hostname"}
    )
    assert requests.put(presigned, data=b"something", timeout=10).status_code == 200
    (record,) = records(eu_sqs, url, 1)
    assert (record["awsRegion"], record["s3"]["object"]["key"]) == ("eu-west-1", "key-by-hostname")
