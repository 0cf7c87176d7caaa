"""Consumers and producers acting on one queue at the same time, as parallel CI workers do: a
message is never delivered twice while its visibility timeout holds and none is lost, a FIFO
message group is in flight to one receiver at a time, and a queue deleted under a long poll ends
the poll with SQS's answer, never a 500 or a hang."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from tests.services.race_support import clients, code, race

RECEIVERS = 8


def _send(sqs: Any, url: str, count: int) -> set[str]:
    """Send `count` messages in batches; their ids."""
    ids: set[str] = set()
    for start in range(0, count, 10):
        batch = [{"Id": str(n), "MessageBody": f"m{n}"} for n in range(start, min(start + 10, count))]
        answer = sqs.send_message_batch(QueueUrl=url, Entries=batch)
        assert not answer.get("Failed")
        ids.update(m["MessageId"] for m in answer["Successful"])
    return ids


def _drain(c: Any, url: str) -> list[dict[str, Any]]:
    """Receive until the queue answers empty; what this receiver got."""
    got: list[dict[str, Any]] = []
    while True:
        answer = c.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
        if not answer.get("Messages"):
            return got
        got.extend(answer["Messages"])


def test_receivers_never_share_a_message_in_flight_and_lose_none(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    for _ in range(2):
        url = new_queue()
        sent = _send(sqs, url, 200)
        results = race(racers, lambda i, c, url=url: _drain(c, url))
        delivered = Counter(m["MessageId"] for got in results for m in got)
        assert set(delivered) == sent
        assert [m for m, n in delivered.items() if n > 1] == []
        for got in results:
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["ApproximateNumberOfMessages"] == "0"
        assert attributes["ApproximateNumberOfMessagesNotVisible"] == "0"


def test_concurrent_deletes_of_received_messages_all_take(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    url = new_queue()
    _send(sqs, url, 80)
    handles = [m["ReceiptHandle"] for m in _drain(sqs, url)]
    assert len(handles) == 80
    # Every handle deleted twice, by two racers at once: both succeed, as SQS answers a repeat.
    results = race(
        racers,
        lambda i, c: [
            c.delete_message(QueueUrl=url, ReceiptHandle=h) for n, h in enumerate(handles) if n % 4 == i % 4
        ],
    )
    assert all(code(r) is None for r in results)
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (
        attributes["ApproximateNumberOfMessages"],
        attributes["ApproximateNumberOfMessagesNotVisible"],
    ) == (
        "0",
        "0",
    )


def test_fifo_group_is_in_flight_to_one_receiver_at_a_time(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    url = new_queue(fifo=True, ContentBasedDeduplication="true")
    groups = ["g0", "g1", "g2"]
    for n in range(60):
        sqs.send_message(QueueUrl=url, MessageBody=f"{n}", MessageGroupId=groups[n % 3])

    def receive_once(i: int, c: Any) -> list[dict[str, Any]]:
        answer = c.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60, AttributeNames=["MessageGroupId"]
        )
        return list(answer.get("Messages", []))

    results = race(racers, receive_once)
    owners: dict[str, set[int]] = {}
    for i, got in enumerate(results):
        for m in got:
            owners.setdefault(m["Attributes"]["MessageGroupId"], set()).add(i)
        # Within one receive, a group's messages come in the order they were sent.
        for group in groups:
            bodies = [int(m["Body"]) for m in got if m["Attributes"]["MessageGroupId"] == group]
            assert bodies == sorted(bodies)
    assert all(len(receivers) == 1 for receivers in owners.values()), owners
    # Every receipt handed out is one distinct message: none in two batches.
    ids = [m["MessageId"] for got in results for m in got]
    assert len(ids) == len(set(ids))


def test_delete_queue_under_long_polls_ends_them(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    for _ in range(2):
        url = new_queue()

        def act(i: int, c: Any, url: str = url) -> Any:
            if i == 0:
                return c.delete_queue(QueueUrl=url)
            return c.receive_message(QueueUrl=url, WaitTimeSeconds=2)

        results = race(racers, act)
        assert code(results[0]) is None
        # A poll that started before the delete returns empty or finds the queue gone.
        assert {code(r) for r in results[1:]} <= {None, "AWS.SimpleQueueService.NonExistentQueue"}
        assert all("Messages" not in r for r in results[1:] if code(r) is None)


def test_purge_racing_sends_loses_no_later_send(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    url = new_queue()
    _send(sqs, url, 50)

    def act(i: int, c: Any) -> Any:
        if i == 0:
            return c.purge_queue(QueueUrl=url)
        return [c.send_message(QueueUrl=url, MessageBody=f"{i}-{n}")["MessageId"] for n in range(10)]

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    # A message sent after the purge answered is kept; one sent before may have been purged. Sent
    # after the race, this one must be there, and every message still queued is a whole one.
    late = sqs.send_message(QueueUrl=url, MessageBody="late")["MessageId"]
    got = _drain(sqs, url)
    assert late in {m["MessageId"] for m in got}
    assert len({m["MessageId"] for m in got}) == len(got)


def test_long_pollers_woken_by_sends_each_get_distinct_messages(
    endpoint: str, sqs: Any, new_queue: Callable[..., str]
) -> None:
    racers = clients(endpoint, "sqs", RECEIVERS)
    url = new_queue()

    def act(i: int, c: Any) -> Any:
        if i == 0:
            return {c.send_message(QueueUrl=url, MessageBody=str(n))["MessageId"] for n in range(40)}
        got: list[str] = []
        while True:  # polls until one wait of a second finds nothing more
            answer = c.receive_message(
                QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10, VisibilityTimeout=60
            )
            if not answer.get("Messages"):
                return got
            got.extend(m["MessageId"] for m in answer["Messages"])

    results = race(racers, act)
    received = [m for got in results[1:] for m in got]
    assert len(received) == len(set(received))
    assert set(received) <= results[0]
    assert set(received) | set(m["MessageId"] for m in _drain(sqs, url)) == results[0]
