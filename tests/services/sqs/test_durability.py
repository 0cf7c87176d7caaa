"""What SQS keeps across a restart and a kill -9: acknowledged messages, in-flight messages and their
visibility deadlines, FIFO deduplication, move tasks; and the retention worker deleting expired
messages (under libfaketime, so the test need not wait the minimum retention of 60 seconds)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess
from tests.services.iam.test_session_expiry import _faked
from tests.services.sqs.support import unique


def _count(sqs: Any, url: str, name: str = "ApproximateNumberOfMessages") -> int:
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[name])["Attributes"][name])


def test_acknowledged_messages_and_queues_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique(), Attributes={"VisibilityTimeout": "7"}, tags={"k": "v"})[
        "QueueUrl"
    ]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(5)])
    server.stop()

    server.start()
    try:
        sqs = server.client("sqs")
        url = url.replace(url.split("/")[2], f"127.0.0.1:{server.port}")
        assert sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"] == {
            "VisibilityTimeout": "7"
        }
        assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == {"k": "v"}
        bodies = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
        assert sorted(bodies) == [f"m{i}" for i in range(5)]
    finally:
        server.stop()


def test_kill_9_loses_no_acknowledged_send_and_keeps_in_flight_messages_hidden(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique())["QueueUrl"]
    path = url.split("/", 3)[3]
    for i in range(20):
        sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")
    in_flight = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=2, VisibilityTimeout=3)["Messages"]
    received_at = time.monotonic()
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        url = f"{server.endpoint}/{path}"
        assert _count(sqs, url) == 18
        assert _count(sqs, url, "ApproximateNumberOfMessagesNotVisible") == 2
        hidden = {m["MessageId"] for m in in_flight}
        visible = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        visible += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)["Messages"]
        assert len(visible) == 18 and not hidden & {m["MessageId"] for m in visible}
        # The in-flight messages come back when their deadline (set before the kill) passes.
        time.sleep(max(0.0, 3.2 - (time.monotonic() - received_at)))
        back = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["ApproximateReceiveCount"]
        )
        assert {m["MessageId"] for m in back["Messages"]} == hidden
        assert {m["Attributes"]["ApproximateReceiveCount"] for m in back["Messages"]} == {"2"}
    finally:
        server.stop()


def test_a_receipt_handle_and_fifo_deduplication_outlive_a_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
    path = url.split("/", 3)[3]
    first = sqs.send_message(QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1")
    sqs.send_message(QueueUrl=url, MessageBody="b", MessageGroupId="g", MessageDeduplicationId="d2")
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        url = f"{server.endpoint}/{path}"
        again = sqs.send_message(
            QueueUrl=url, MessageBody="a", MessageGroupId="g", MessageDeduplicationId="d1"
        )
        assert again["MessageId"] == first["MessageId"]
        assert "Messages" not in sqs.receive_message(QueueUrl=url)  # group g still held by "a" in flight
        sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
        assert [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]] == [
            "b"
        ]
    finally:
        server.stop()


def test_a_move_task_resumes_after_a_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    source = sqs.create_queue(
        QueueName=unique("src"),
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})},
    )["QueueUrl"]
    paths = [u.split("/", 3)[3] for u in (source, dlq)]
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(6)])
    for _ in range(2):
        sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0)
    sqs.start_message_move_task(SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=3)
    time.sleep(0.3)
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        source, dlq = (f"{server.endpoint}/{p}" for p in paths)
        deadline = time.monotonic() + 10
        while sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]["Status"] == "RUNNING":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        task = sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"][0]
        assert (task["Status"], task["ApproximateNumberOfMessagesMoved"]) == ("COMPLETED", 6)
        assert _count(sqs, source) == 6 and _count(sqs, dlq) == 0
    finally:
        server.stop()


def test_expired_messages_are_deleted_by_the_retention_worker(tmp_path: Path) -> None:
    offset = tmp_path / "offset"
    offset.write_text("+0\n")
    env = {**_faked(""), "FAKETIME_TIMESTAMP_FILE": str(offset), "FAKETIME_CACHE_DURATION": "1"}
    del env["FAKETIME"]
    server = ServerProcess(env=env).start()
    try:
        sqs: Any = server.client("sqs")
        short = sqs.create_queue(QueueName=unique(), Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
        long = sqs.create_queue(QueueName=unique(), Attributes={"MessageRetentionPeriod": "600"})["QueueUrl"]
        for url in (short, long):
            sqs.send_message(QueueUrl=url, MessageBody="old")
        offset.write_text("+120\n")  # two minutes later, as the server sees it (within SigV4's skew)
        deadline = time.monotonic() + 5
        while _count(sqs, short) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _count(sqs, short) == 0
        assert "Messages" not in sqs.receive_message(QueueUrl=short)
        assert _count(sqs, long) == 1
    finally:
        server.stop()


def test_the_latest_receive_change_or_delete_of_each_message_holds_after_a_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique())["QueueUrl"]
    path = url.split("/", 3)[3]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(4)])
    first = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)["Messages"]
    handles = {m["Body"]: m["ReceiptHandle"] for m in first}
    assert sorted(handles) == ["m0", "m1", "m2", "m3"]
    # m0 made visible and received again; m1 deleted; m2 made visible; m3 left in flight.
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handles["m0"], VisibilityTimeout=0)
    again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)["Messages"]
    assert [m["Body"] for m in again] == ["m0"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handles["m1"])
    sqs.change_message_visibility_batch(
        QueueUrl=url, Entries=[{"Id": "a", "ReceiptHandle": handles["m2"], "VisibilityTimeout": 0}]
    )
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        url = f"{server.endpoint}/{path}"
        assert (_count(sqs, url), _count(sqs, url, "ApproximateNumberOfMessagesNotVisible")) == (1, 2)
        names = ["ApproximateReceiveCount"]
        visible = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=names)["Messages"]
        assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in visible] == [("m2", "2")]
        # The receipt handles given before the kill still work.
        for handle in (again[0]["ReceiptHandle"], handles["m3"]):
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=names)["Messages"]
        assert sorted((m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in back) == [
            ("m0", "3"),
            ("m3", "2"),
        ]
    finally:
        server.stop()


def test_receive_counts_kept_across_a_kill_9_send_a_message_to_the_dead_letter_queue(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    dlq = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})
    source = sqs.create_queue(QueueName=unique("src"), Attributes={"RedrivePolicy": redrive})["QueueUrl"]
    paths = [u.split("/", 3)[3] for u in (source, dlq)]
    sqs.send_message_batch(QueueUrl=source, Entries=[{"Id": str(i), "MessageBody": str(i)} for i in range(3)])
    names = ["ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"]
    for count in ("1", "2"):
        received = sqs.receive_message(
            QueueUrl=source, MaxNumberOfMessages=10, VisibilityTimeout=0, AttributeNames=names
        )
        assert sorted(m["Attributes"]["ApproximateReceiveCount"] for m in received["Messages"]) == [count] * 3
    first_received = {
        m["Body"]: m["Attributes"]["ApproximateFirstReceiveTimestamp"] for m in received["Messages"]
    }
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        source, dlq = (f"{server.endpoint}/{p}" for p in paths)
        assert "Messages" not in sqs.receive_message(QueueUrl=source, MaxNumberOfMessages=10)
        moved = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=names)["Messages"]
        assert {
            m["Body"]: m["Attributes"]["ApproximateFirstReceiveTimestamp"] for m in moved
        } == first_received
    finally:
        server.stop()


def test_batch_deletes_remove_only_the_messages_they_name_after_a_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    sqs: Any = server.client("sqs")
    url = sqs.create_queue(QueueName=unique())["QueueUrl"]
    path = url.split("/", 3)[3]
    for batch in "ab":
        entries = [{"Id": str(i), "MessageBody": f"{batch}{i}"} for i in range(10)]
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    handles: dict[str, str] = {}
    while len(handles) < 20:
        received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600)[
            "Messages"
        ]
        handles.update({m["Body"]: m["ReceiptHandle"] for m in received})
    # Batch a goes in two calls (4, then 6), b's messages a single one and three of them together.
    for bodies in (["a0", "a1", "a2", "a3"], [f"a{i}" for i in range(4, 10)], ["b0"], ["b5", "b6", "b9"]):
        entries = [{"Id": str(i), "ReceiptHandle": handles[body]} for i, body in enumerate(bodies)]
        assert len(sqs.delete_message_batch(QueueUrl=url, Entries=entries)["Successful"]) == len(bodies)
    server.kill9()

    server.start()
    try:
        sqs = server.client("sqs")
        url = f"{server.endpoint}/{path}"
        assert (_count(sqs, url), _count(sqs, url, "ApproximateNumberOfMessagesNotVisible")) == (0, 6)
        left = ["b1", "b2", "b3", "b4", "b7", "b8"]
        entries = [{"Id": body, "ReceiptHandle": handles[body], "VisibilityTimeout": 0} for body in left]
        sqs.change_message_visibility_batch(QueueUrl=url, Entries=entries)
        back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        assert sorted(m["Body"] for m in back) == left
    finally:
        server.stop()
