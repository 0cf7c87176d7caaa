"""The classic wiring: S3 events to SQS and Lambda, SQS to Lambda, Lambda failures to SQS."""

from __future__ import annotations

import io
import json
import re
import time
import uuid
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, wait_for

TRUST_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()



@pytest.fixture(scope="module")
def wired() -> Any:
    """A server of its own with fast async retries, so failure paths finish in seconds."""
    proc = ServerProcess(env={"POCKETCLOUD_LAMBDA_RETRY_SECONDS": "0.2"}).start()
    yield proc
    proc.stop()


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _queue(server: ServerProcess, **attributes: str) -> tuple[str, str]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=_name("q"), Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def _allow_s3(server: ServerProcess, url: str, arn: str, bucket: str) -> None:
    server.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}}]})})


def _function(server: ServerProcess, source: str, role_policy: dict[str, Any] | None = None, **extra: Any) -> str:
    iam, lam = server.client("iam"), server.client("lambda")
    role = iam.create_role(RoleName=_name("role"), AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]
    if role_policy is not None:
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="access", PolicyDocument=json.dumps(role_policy))
    name = _name("fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role["Arn"], Handler="app.handler",
                        Code={"ZipFile": _zip(source)}, Timeout=10, **extra)
    return name


def _messages(server: ServerProcess, url: str, count: int) -> list[dict[str, Any]]:
    sqs = server.client("sqs")
    found: list[dict[str, Any]] = []

    def more() -> bool:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                           MessageAttributeNames=["All"]).get("Messages", []):
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return len(found) >= count

    wait_for(more)
    return found


def test_queue_destination_must_allow_s3_then_gets_a_test_event_and_object_events(wired: ServerProcess) -> None:
    s3 = wired.client("s3")
    bucket = _name("events")
    s3.create_bucket(Bucket=bucket)
    url, arn = _queue(wired)
    config = {"QueueConfigurations": [{"Id": "jpgs", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"],
                                       "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}}}]}
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert refused.value.response["Error"]["Code"] == "InvalidArgument"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Unable to validate the following destination configurations" in refused.value.response["Error"]["Message"]
    _allow_s3(wired, url, arn, bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    test_event = json.loads(_messages(wired, url, 1)[0]["Body"])
    assert test_event["Event"] == "s3:TestEvent" and test_event["Bucket"] == bucket
    s3.put_object(Bucket=bucket, Key="photos/a b.jpg", Body=b"12345")
    s3.put_object(Bucket=bucket, Key="notes.txt", Body=b"ignored by the suffix filter")
    record = json.loads(_messages(wired, url, 1)[0]["Body"])["Records"][0]
    assert record["eventSource"] == "aws:s3" and record["eventName"] == "ObjectCreated:Put"
    assert record["eventVersion"] == "2.1" and record["awsRegion"] == "us-east-1"
    assert record["s3"]["configurationId"] == "jpgs"
    assert record["s3"]["bucket"]["name"] == bucket and record["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert record["s3"]["object"]["key"] == "photos/a+b.jpg"  # URL-encoded, as S3 sends it
    assert record["s3"]["object"]["size"] == 5
    assert record["s3"]["object"]["eTag"] == "827ccb0eea8a706c4c34a16891f84e7b"
    assert re.fullmatch("[0-9A-F]{18}", record["s3"]["object"]["sequencer"])  # as S3's: 0055AED6DCD90281E5
    assert wired.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None


def test_removed_events_in_a_versioned_bucket_name_the_delete_marker(wired: ServerProcess) -> None:
    s3 = wired.client("s3")
    bucket = _name("removed")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    url, arn = _queue(wired)
    _allow_s3(wired, url, arn, bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectRemoved:*"]}]})
    _messages(wired, url, 1)  # the test event
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    record = json.loads(_messages(wired, url, 1)[0]["Body"])["Records"][0]
    assert record["eventName"] == "ObjectRemoved:DeleteMarkerCreated"
    assert record["s3"]["object"]["versionId"] == marker


def test_a_queue_whose_policy_no_longer_lets_s3_send_gets_no_events(wired: ServerProcess) -> None:
    """S3 delivers an event by calling SendMessage as s3.amazonaws.com, which the queue policy must
    allow ("Granting permissions to publish event notification messages to a destination", S3 User
    Guide): once the policy is gone, events are lost, as they are in AWS."""
    s3, sqs = wired.client("s3"), wired.client("sqs")
    bucket = _name("revoked")
    s3.create_bucket(Bucket=bucket)
    url, arn = _queue(wired)
    _allow_s3(wired, url, arn, bucket)
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={
        "QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]})
    _messages(wired, url, 1)  # the test event
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    s3.put_object(Bucket=bucket, Key="unseen", Body=b"x")
    _allow_s3(wired, url, arn, bucket)
    s3.put_object(Bucket=bucket, Key="seen", Body=b"x")
    records = [json.loads(m["Body"])["Records"][0] for m in _messages(wired, url, 1)]
    assert [r["s3"]["object"]["key"] for r in records] == ["seen"]
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages") is None


def _reads(resource: str) -> dict[str, Any]:
    """An execution role policy allowing the calls a mapping's poller makes on `resource`."""
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        "Resource": resource}]}


def test_sqs_mapping_deletes_successes_and_redrives_reported_failures(wired: ServerProcess) -> None:
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    dlq_url, dlq_arn = _queue(wired)
    url, arn = _queue(wired, VisibilityTimeout="10",
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    name = _function(wired, (
        "def handler(event, context):\n"
        "    assert all(r['eventSource'] == 'aws:sqs' for r in event['Records'])\n"
        "    return {'batchItemFailures': [{'itemIdentifier': r['messageId']} for r in event['Records'] if r['body'] == 'poison']}\n"
    ), role_policy=_reads(arn))  # Lambda reads the queue as the execution role
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    assert mapping["State"] == "Creating"
    # Failures come back soon: shortened once the mapping exists (CreateEventSourceMapping refuses a
    # visibility timeout shorter than the function's 10 s timeout).
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    for body in ("one", "two", "poison"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    dead = _messages(wired, dlq_url, 1)
    assert [m["Body"] for m in dead] == ["poison"]

    def drained() -> bool:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return attributes["ApproximateNumberOfMessages"] == attributes["ApproximateNumberOfMessagesNotVisible"] == "0"

    wait_for(drained)
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled"
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    with pytest.raises(ClientError) as gone:
        lam.get_event_source_mapping(UUID=mapping["UUID"])
    assert gone.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert gone.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_reported_failure_naming_no_message_of_the_batch_fails_the_whole_batch(wired: ServerProcess) -> None:
    """Lambda's SQS guide, "Success and failure conditions": an itemIdentifier with a message ID that
    doesn't exist makes the batch a complete failure, so its messages are retried, not deleted."""
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    dlq_url, dlq_arn = _queue(wired)
    url, arn = _queue(wired, VisibilityTimeout="10",
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    name = _function(wired, (
        "def handler(event, context):\n"
        "    return {'batchItemFailures': [{'itemIdentifier': 'not-a-message-of-this-batch'}]}\n"
    ), role_policy=_reads(arn))
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"])
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "1"})
    sqs.send_message(QueueUrl=url, MessageBody="kept")
    assert [m["Body"] for m in _messages(wired, dlq_url, 1)] == ["kept"]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


_COUNTING = "def handler(event, context):\n    print('batch of', len(event['Records']))\n"
_READS = _reads("*")


def _batch_sizes(server: ServerProcess, function: str, messages: int) -> list[int]:
    """The sizes of the batches a `_COUNTING` function was invoked with, once they add up to `messages`."""
    logs = server.client("logs")

    def sizes() -> list[int] | None:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}")["events"]
        except ClientError:
            return None
        found = [int(e["message"].split()[-1]) for e in events if e["message"].startswith("batch of")]
        return found if sum(found) >= messages else None

    found: list[int] = wait_for(sizes)
    return found


def test_a_batching_window_gathers_messages_until_it_ends(wired: ServerProcess) -> None:
    """Lambda's SQS guide: with a batch window, Lambda "continues to poll messages from the SQS
    standard queue until the batch window expires, the invocation payload size quota is reached, or
    the configured maximum batch size is reached"."""
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    url, arn = _queue(wired, VisibilityTimeout="60")
    name = _function(wired, _COUNTING, role_policy=_READS)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=50,
                                              MaximumBatchingWindowInSeconds=5)
    for number in range(8):  # a trickle, well inside the window
        sqs.send_message(QueueUrl=url, MessageBody=str(number))
        time.sleep(0.1)
    assert _batch_sizes(wired, name, 8) == [8]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_messages_gathered_over_a_window_longer_than_the_visibility_timeout_come_once(
    wired: ServerProcess,
) -> None:
    """Lambda's SQS guide: "If your batch window is greater than 0, and (batch window) + (function
    timeout) > (queue visibility timeout), then your effective queue visibility timeout is (batch
    window) + (function timeout) + 30s", so a message is not received again while the window gathers."""
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    url, arn = _queue(wired, VisibilityTimeout="2")
    name = _function(wired, _COUNTING, role_policy=_READS)
    lam.update_function_configuration(FunctionName=name, Timeout=1)
    wait_for(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=50,
                                              MaximumBatchingWindowInSeconds=5)
    sqs.send_message(QueueUrl=url, MessageBody="once")
    assert _batch_sizes(wired, name, 1) == [1]
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_batch_past_the_synchronous_payload_quota_is_passed_in_more_calls(wired: ServerProcess) -> None:
    """Lambda passes a batch in one call "as long as the total size of the events doesn't exceed
    the invocation payload size quota for synchronous invocation (6 MB)" (Lambda's SQS guide)."""
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    url, arn = _queue(wired, VisibilityTimeout="60")
    name = _function(wired, _COUNTING, role_policy=_READS)
    for number in range(7):  # 7 MB of bodies
        sqs.send_message(QueueUrl=url, MessageBody=str(number) * 1_000_000)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    sizes = _batch_sizes(wired, name, 7)
    assert sum(sizes) == 7 and len(sizes) >= 2 and max(sizes) <= 6
    lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_a_large_fifo_batch_is_retried_whole_so_its_later_messages_wait(wired: ServerProcess) -> None:
    """Lambda's SQS guide: for a FIFO queue "the function attempts all retries on the affected messages
    before Lambda receives additional messages from the same group": the later part of a batch past the
    6 MB quota is not passed on by itself while the part before it keeps failing."""
    sqs, lam = wired.client("sqs"), wired.client("lambda")
    dlq_url = sqs.create_queue(QueueName=_name("dlq") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=_name("q") + ".fifo", Attributes={
        "FifoQueue": "true", "VisibilityTimeout": "3",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    name = _function(wired, (
        "def handler(event, context):\n"
        "    firsts = ''.join(r['body'][0] for r in event['Records'])\n"
        "    print('batch of', firsts)\n"
        "    if '0' in firsts:\n"
        "        raise ValueError('the first message fails')\n"
    ), role_policy=_READS)
    lam.update_function_configuration(FunctionName=name, Timeout=2)
    wait_for(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
    for number in range(7):  # 7 MB in one group: more than one call's worth
        sqs.send_message(QueueUrl=url, MessageBody=str(number) * 1_000_000, MessageGroupId="g",
                         MessageDeduplicationId=str(number))
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=10)
    wait_for(lambda: sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["ApproximateNumberOfMessages"])[
        "Attributes"]["ApproximateNumberOfMessages"] != "0")
    lam.delete_event_source_mapping(UUID=mapping["UUID"])
    events = wired.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
    batches = [e["message"].split()[-1] for e in events if e["message"].startswith("batch of")]
    assert batches and all("0" in firsts for firsts in batches)


def test_mappings_are_listed_a_page_of_max_items_at_a_time(wired: ServerProcess) -> None:
    """ListEventSourceMappings returns at most MaxItems mappings and a NextMarker while more follow
    (API reference: MaxItems, "The maximum number of event source mappings to return"; NextMarker,
    "returned when the response doesn't contain all event source mappings")."""
    lam = wired.client("lambda")
    name = _function(wired, _COUNTING, role_policy=_READS)
    made = {lam.create_event_source_mapping(EventSourceArn=_queue(wired)[1], FunctionName=name)["UUID"]
            for _ in range(3)}
    first = lam.list_event_source_mappings(FunctionName=name, MaxItems=2)
    assert len(first["EventSourceMappings"]) == 2 and first["NextMarker"]
    rest = lam.list_event_source_mappings(FunctionName=name, MaxItems=2, Marker=first["NextMarker"])
    assert len(rest["EventSourceMappings"]) == 1 and "NextMarker" not in rest
    assert {m["UUID"] for m in first["EventSourceMappings"] + rest["EventSourceMappings"]} == made
    pages = lam.get_paginator("list_event_source_mappings").paginate(
        FunctionName=name, PaginationConfig={"PageSize": 1})
    assert [len(one["EventSourceMappings"]) for one in pages] == [1, 1, 1]
    for mapping in made:
        lam.delete_event_source_mapping(UUID=mapping)


def test_a_version_or_alias_lists_only_its_own_mappings(wired: ServerProcess) -> None:
    """ListEventSourceMappings' FunctionName may be a "Version or Alias ARN", which lists the event
    source mappings "for a specific Lambda function version or an alias" (API reference)."""
    lam = wired.client("lambda")
    name = _function(wired, _COUNTING, role_policy=_READS, Publish=True)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    unqualified = lam.create_event_source_mapping(EventSourceArn=_queue(wired)[1], FunctionName=name)
    aliased = lam.create_event_source_mapping(EventSourceArn=_queue(wired)[1], FunctionName=f"{name}:live")
    alias_arn = aliased["FunctionArn"]
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName=alias_arn)["EventSourceMappings"]] == [
        aliased["UUID"]]
    assert [m["UUID"] for m in lam.list_event_source_mappings(FunctionName=f"{name}:1")["EventSourceMappings"]] == []
    for mapping in (unqualified, aliased):
        lam.delete_event_source_mapping(UUID=mapping["UUID"])


def test_failed_async_invocation_lands_on_an_sqs_destination_with_lambdas_record(wired: ServerProcess) -> None:
    url, arn = _queue(wired)
    send = {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}  # delivered as the role
    name = _function(wired, "def handler(event, context):\n    raise RuntimeError('nope')\n", role_policy=send)
    lam = wired.client("lambda")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                         DestinationConfig={"OnFailure": {"Destination": arn}})
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 7}')
    record = json.loads(_messages(wired, url, 1)[0]["Body"])
    assert record["version"] == "1.0"
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"order": 7}
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorType"] == "RuntimeError"


def test_dead_letter_queue_gets_the_original_event_with_error_attributes(wired: ServerProcess) -> None:
    url, arn = _queue(wired)
    send = {"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": arn}]}  # delivered as the role
    name = _function(wired, "def handler(event, context):\n    raise ValueError('bad order' + '!' * 2000)\n",
                     role_policy=send, DeadLetterConfig={"TargetArn": arn})
    lam = wired.client("lambda")
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 8}')
    message = _messages(wired, url, 1)[0]
    assert json.loads(message["Body"]) == {"order": 8}
    attributes = message["MessageAttributes"]
    # "The first 1 KB of the error message" (Lambda Developer Guide, dead-letter queues).
    assert attributes["ErrorMessage"]["StringValue"] == ("bad order" + "!" * 2000)[:1024]
    assert attributes["RequestID"]["StringValue"]
    assert "ErrorCode" in attributes


def test_uploaded_image_becomes_a_thumbnail_written_by_a_least_privilege_function(wired: ServerProcess) -> None:
    from PIL import Image

    s3, lam = wired.client("s3"), wired.client("lambda")
    source, target = _name("uploads"), _name("thumbs")
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    name = _function(
        wired,
        (
            "import io, os, urllib.parse, boto3\n"
            "from PIL import Image\n"
            "s3 = boto3.client('s3')\n"
            "def handler(event, context):\n"
            "    for record in event['Records']:\n"
            "        bucket = record['s3']['bucket']['name']\n"
            "        key = urllib.parse.unquote_plus(record['s3']['object']['key'])\n"
            "        image = Image.open(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)['Body'].read()))\n"
            "        image.thumbnail((128, 128))\n"
            "        out = io.BytesIO(); image.save(out, 'PNG')\n"
            f"        s3.put_object(Bucket='{target}', Key='thumb-' + key, Body=out.getvalue())\n"
            "        try:\n"
            f"            s3.put_object(Bucket=bucket, Key='not-allowed', Body=b'x')\n"
            "        except Exception as exc:\n"
            "            print('DENIED', type(exc).__name__)\n"
        ),
        role_policy={"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{source}/*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{target}/*"},
        ]},
    )
    function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    config = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as refused:  # S3 may not invoke the function yet
        s3.put_bucket_notification_configuration(Bucket=source, NotificationConfiguration=config)
    error = refused.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("InvalidArgument", 400)
    assert "Unable to validate the following destination configurations" in error["Error"]["Message"]
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn=f"arn:aws:s3:::{source}")
    s3.put_bucket_notification_configuration(Bucket=source, NotificationConfiguration=config)
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(picture, "PNG")
    s3.put_object(Bucket=source, Key="cat.png", Body=picture.getvalue())

    def thumbnail() -> bytes | None:
        try:
            return s3.get_object(Bucket=target, Key="thumb-cat.png")["Body"].read()  # type: ignore[no-any-return]
        except ClientError:
            return None

    made = Image.open(io.BytesIO(wait_for(thumbnail)))
    assert made.size == (128, 96)  # the longer side is 128, the aspect ratio kept
    logs = wired.client("logs")

    def denied() -> list[dict[str, Any]]:
        try:
            return logs.filter_log_events(logGroupName=f"/aws/lambda/{name}", filterPattern="DENIED")["events"]  # type: ignore[no-any-return]
        except ClientError:
            return []

    found = wait_for(denied)
    assert any(event["message"] == "DENIED AccessDenied\n" for event in found), found
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=source).get("Contents", [])]
    assert keys == ["cat.png"]  # the role may not write to the source bucket


def test_lambda_mapping_requires_an_existing_queue(wired: ServerProcess) -> None:
    lam = wired.client("lambda")
    # The function exists, so only the missing queue can be refused.
    name = _function(wired, "def handler(event, context):\n    return None\n")
    missing = "arn:aws:sqs:us-east-1:000000000000:missing"
    with pytest.raises(ClientError) as exc:
        lam.create_event_source_mapping(EventSourceArn=missing, FunctionName=name)
    response = exc.value.response
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    assert (response["Error"]["Code"], status) == ("InvalidParameterValueException", 400)
    assert response["Error"]["Message"] == (
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
        "SQS Error Message: The specified queue does not exist."
    )


def test_s3_refuses_a_fifo_queue_as_a_destination(wired: ServerProcess) -> None:
    # "Currently, Standard SQS queue is only allowed as an Amazon S3 event notification destination".
    s3, sqs = wired.client("s3"), wired.client("sqs")
    bucket = _name("fifo-dest")
    s3.create_bucket(Bucket=bucket)
    url = sqs.create_queue(QueueName=_name("events") + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    _allow_s3(wired, url, arn, bucket)
    config = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    with pytest.raises(ClientError) as refused:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    error = refused.value.response["Error"]
    assert (error["Code"], error["Message"], error["ArgumentName1"]) == (
        "InvalidArgument",
        "Unable to validate the following destination configurations",
        arn,
    )
