"""S3 event notifications as AWS answers and sends them (recorded against AWS): the checks of
PutBucketNotificationConfiguration and their errors, what S3 keeps of a configuration, and the
records of tagging, ACL and restore events."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client


@pytest.fixture(scope="module")
def sqs(endpoint: str) -> Any:
    return make_client(endpoint, "sqs")


def queue_for(sqs: Any, bucket: str) -> tuple[str, str]:
    """A queue whose policy lets the bucket's events in: (url, arn)."""
    url = sqs.create_queue(QueueName=f"events-{uuid.uuid4().hex[:10]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sqs:SendMessage",
        "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
    }
    sqs.set_queue_attributes(
        QueueUrl=url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    )
    return url, arn


def notify_queue(s3: Any, sqs: Any, bucket: str, events: list[str]) -> str:
    url, arn = queue_for(sqs, bucket)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": events}]},
    )
    return url


def records(sqs: Any, url: str, count: int, seconds: float = 5) -> list[dict[str, Any]]:
    """The event records that reach the queue (S3's test event left out), waiting for `count`."""
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            body = json.loads(message["Body"])
            found.extend(body.get("Records", []))
    return found


def put_error(s3: Any, bucket: str, config: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config, **kwargs)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return dict(info.value.response["Error"])


# -- configuration ------------------------------------------------------------------------


def test_a_configuration_without_id_gets_one_and_rule_names_are_capitalized(
    s3: Any, sqs: Any, bucket: str
) -> None:
    _, arn = queue_for(sqs, bucket)
    rules = [{"Name": "suffix", "Value": ".txt"}, {"Name": "PREFIX", "Value": "notif-"}]
    config = {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": rules}}}
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": [config]}
    )
    (kept,) = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert kept["Id"]
    assert sorted((r["Name"], r["Value"]) for r in kept["Filter"]["Key"]["FilterRules"]) == [
        ("Prefix", "notif-"),
        ("Suffix", ".txt"),
    ]


def test_a_filter_rule_name_other_than_prefix_or_suffix_is_named(s3: Any, sqs: Any, bucket: str) -> None:
    _, arn = queue_for(sqs, bucket)
    rules = [{"Name": "INVALID", "Value": "does not matter"}]
    config = {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": rules}}}
    error = put_error(s3, bucket, {"QueueConfigurations": [config]})
    assert error == {
        "Code": "InvalidArgument",
        "Message": "filter rule name must be either prefix or suffix",
        "ArgumentName": "FilterRule.Name",
        "ArgumentValue": "INVALID",
    }


@pytest.mark.parametrize(
    ("kind", "member", "argument"),
    [
        ("QueueConfigurations", "QueueArn", "Queue"),
        ("LambdaFunctionConfigurations", "LambdaFunctionArn", "CloudFunction"),
    ],
)
def test_an_unparsable_arn_is_refused_even_when_destinations_are_not_validated(
    s3: Any, bucket: str, kind: str, member: str, argument: str
) -> None:
    config = {kind: [{"Id": "id1", "Events": ["s3:ObjectCreated:*"], member: "invalid-queue"}]}
    for skip in (False, True):
        error = put_error(s3, bucket, config, SkipDestinationValidation=skip)
        assert (error["Message"], error["ArgumentName"], error["ArgumentValue"]) == (
            "The ARN could not be parsed",
            argument,
            "invalid-queue",
        )


def test_every_missing_queue_is_named_in_one_error(s3: Any, bucket: str) -> None:
    arns = [f"arn:aws:sqs:us-east-1:000000000000:missing-{uuid.uuid4().hex[:8]}" for _ in range(2)]
    # Events of different kinds, as recorded: two unfiltered configurations may not share one.
    events = ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]
    config = {"QueueConfigurations": [{"Events": [e], "QueueArn": arn} for e, arn in zip(events, arns, strict=True)]}
    assert put_error(s3, bucket, config) == {
        "Code": "InvalidArgument",
        "Message": "Unable to validate the following destination configurations",
        "ArgumentName1": arns[0],
        "ArgumentValue1": "The destination queue does not exist",
        "ArgumentName2": arns[1],
        "ArgumentValue2": "The destination queue does not exist",
    }
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=config, SkipDestinationValidation=True
    )
    assert len(s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]) == 2


def test_a_missing_function_is_one_s3_is_not_authorized_to_invoke(s3: Any, bucket: str) -> None:
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:missing-{uuid.uuid4().hex[:8]}"
    config = {"LambdaFunctionConfigurations": [{"Events": ["s3:ObjectCreated:*"], "LambdaFunctionArn": arn}]}
    error = put_error(s3, bucket, config)
    assert (error["ArgumentName1"], error["ArgumentValue1"]) == (
        f"{arn}, null",
        f"Not authorized to invoke function [{arn}]",
    )


# -- event records ------------------------------------------------------------------------


def test_tagging_events_are_version_2_3_and_tell_the_etag_but_no_size_or_sequencer(
    s3: Any, sqs: Any, bucket: str
) -> None:
    url = notify_queue(s3, sqs, bucket, ["s3:ObjectTagging:*"])
    s3.put_object(Bucket=bucket, Key="k", Body=b"FooBarBlitz")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging={"TagSet": [{"Key": "a", "Value": "b"}]})
    s3.delete_object_tagging(Bucket=bucket, Key="k")
    events = records(sqs, url, 2)
    assert [(e["eventName"], e["eventVersion"]) for e in events] == [
        ("ObjectTagging:Put", "2.3"),
        ("ObjectTagging:Delete", "2.3"),
    ]
    assert all(e["s3"]["object"] == {"key": "k", "eTag": "f3e6da48d914f3f04f6bd9cb092c044d"} for e in events)


def test_a_tagging_event_names_the_version_that_was_tagged(s3: Any, sqs: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    url = notify_queue(s3, sqs, bucket, ["s3:ObjectTagging:*"])
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"FooBarBlitz")
    s3.put_object(Bucket=bucket, Key="k", Body=b"a newer version")
    tags = {"TagSet": [{"Key": "a", "Value": "b"}]}
    s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=first["VersionId"], Tagging=tags)
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=first["VersionId"])
    events = records(sqs, url, 2)
    assert [e["s3"]["object"] for e in events] == [
        {"key": "k", "eTag": "f3e6da48d914f3f04f6bd9cb092c044d", "versionId": first["VersionId"]}
    ] * 2


def test_an_acl_event_is_sent_only_when_the_acl_changes(s3: Any, sqs: Any, bucket: str) -> None:
    s3.delete_bucket_ownership_controls(Bucket=bucket)
    url = notify_queue(s3, sqs, bucket, ["s3:ObjectAcl:Put"])
    s3.put_object(Bucket=bucket, Key="k", Body=b"something")
    s3.put_object_acl(Bucket=bucket, Key="k", ACL="private")  # the ACL already in force
    s3.put_object_acl(
        Bucket=bucket, Key="k", GrantRead='uri="http://acs.amazonaws.com/groups/s3/LogDelivery"'
    )
    (event,) = records(sqs, url, 2, seconds=3)
    assert (event["eventName"], event["eventVersion"]) == ("ObjectAcl:Put", "2.3")
    assert event["s3"]["object"] == {"key": "k", "eTag": "437b930db84b8079c2dd804a71936b5f"}


def test_a_restore_sends_a_post_then_a_completed_event(s3: Any, sqs: Any, bucket: str) -> None:
    url = notify_queue(s3, sqs, bucket, ["s3:ObjectRestore:*"])
    s3.put_object(Bucket=bucket, Key="k", Body=b"something", StorageClass="GLACIER")
    s3.restore_object(
        Bucket=bucket, Key="k", RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}}
    )
    post, completed = records(sqs, url, 2)
    assert (post["eventName"], completed["eventName"]) == ("ObjectRestore:Post", "ObjectRestore:Completed")
    for event in (post, completed):
        assert event["eventVersion"] == "2.1"
        assert {k: v for k, v in event["s3"]["object"].items() if k != "sequencer"} == {
            "key": "k",
            "size": 9,
            "eTag": "437b930db84b8079c2dd804a71936b5f",
        }
    restore = completed["glacierEventData"]["restoreEventData"]
    assert restore["lifecycleRestoreStorageClass"] == "GLACIER"
    assert restore["lifecycleRestorationExpiryTime"].endswith("Z")
    owner = completed["s3"]["bucket"]["ownerIdentity"]["principalId"]
    assert completed["userIdentity"]["principalId"] == f"AmazonCustomer:{owner}"


def test_an_event_to_sqs_carries_the_requests_xray_trace_header(endpoint: str, sqs: Any, bucket: str) -> None:
    trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1"
    traced = make_client(endpoint, "s3")
    traced.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: request.headers.__setitem__("X-Amzn-Trace-Id", trace)
    )
    url = notify_queue(traced, sqs, bucket, ["s3:ObjectCreated:*"])
    traced.put_object(Bucket=bucket, Key="test-data", Body=b"something")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=url, AttributeNames=["AWSTraceHeader"], WaitTimeSeconds=1
        ).get("Messages", [])
        events = [m for m in messages if "s3:TestEvent" not in m["Body"]]
        if events:
            assert events[0]["Attributes"]["AWSTraceHeader"] == trace
            return
    raise AssertionError("no event reached the queue")


def test_a_quiet_multi_delete_in_a_versioned_bucket_notifies_each_delete_marker(
    s3: Any, sqs: Any, versioned_bucket: str
) -> None:
    url = notify_queue(s3, sqs, versioned_bucket, ["s3:ObjectRemoved:*"])
    for key in ("a", "b"):
        s3.put_object(Bucket=versioned_bucket, Key=key, Body=b"x")
    answer = s3.delete_objects(
        Bucket=versioned_bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True}
    )
    assert "Deleted" not in answer  # a Quiet answer lists only errors
    found = records(sqs, url, 2)
    assert sorted((r["eventName"], r["s3"]["object"]["key"]) for r in found) == [
        ("ObjectRemoved:DeleteMarkerCreated", "a"),
        ("ObjectRemoved:DeleteMarkerCreated", "b"),
    ]
    markers = {
        m["Key"]: m["VersionId"] for m in s3.list_object_versions(Bucket=versioned_bucket)["DeleteMarkers"]
    }
    assert {r["s3"]["object"]["key"]: r["s3"]["object"]["versionId"] for r in found} == markers
