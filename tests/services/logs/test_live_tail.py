"""StartLiveTail through boto3: an event stream of sessionStart, then a sessionUpdate every
second with the events ingested since (matching the session's groups, streams and filter
pattern), AWS's validation errors, the session quota, and the ends of a session: the client
closing it, the server stopping, the session's time running out.

boto3 sends StartLiveTail to the "stream-" host prefix of its endpoint; against a local
endpoint the client is made with inject_host_prefix=False, as for any emulator."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import urllib3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.eventstream import EventStreamBuffer
from botocore.exceptions import EventStreamError

from tests.conftest import ROOT_ACCOUNT, ROOT_KEY, ROOT_SECRET, ServerProcess, make_client
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke
from tests.services.logs.support import error_of, unique
from tests.services.logs.support import put_now as put

REGION = "us-east-1"


def arn_of(group: str, region: str = REGION) -> str:
    return f"arn:aws:logs:{region}:{ROOT_ACCOUNT}:log-group:{group}"


def tail_client(endpoint: str, region: str = REGION) -> Any:
    return make_client(endpoint, "logs", region=region, inject_host_prefix=False)


@pytest.fixture(scope="module")
def tail(endpoint: str) -> Any:
    return tail_client(endpoint)


class Session:
    """An open Live Tail session: its sessionStart, and its updates as they come."""

    def __init__(self, response: dict[str, Any]) -> None:
        self.stream = response["responseStream"]
        self.events = iter(self.stream)
        self.start = next(self.events)["sessionStart"]

    def results_until(
        self, done: Callable[[list[dict[str, Any]]], bool], updates: int = 10
    ) -> list[dict[str, Any]]:
        """The events of the updates that come until `done` says enough (at most `updates` of them)."""
        found: list[dict[str, Any]] = []
        for _ in range(updates):
            update = next(self.events)["sessionUpdate"]
            assert update["sessionMetadata"] == {"sampled": False}
            found += update["sessionResults"]
            if done(found):
                break
        return found

    def close(self) -> None:
        self.stream.close()


@pytest.fixture
def sessions(tail: Any) -> Iterator[Callable[..., Session]]:
    opened: list[Session] = []

    def start(**kwargs: Any) -> Session:
        session = Session(tail.start_live_tail(**kwargs))
        opened.append(session)
        return session

    yield start
    for session in opened:
        session.close()


def messages_of(events: list[dict[str, Any]]) -> list[str]:
    return [e["message"] for e in events]


def test_a_session_starts_with_a_session_start_naming_what_it_tails(
    group: str, sessions: Callable[..., Session]
) -> None:
    session = sessions(
        logGroupIdentifiers=[arn_of(group)], logStreamNamePrefixes=["web"], logEventFilterPattern="ERROR"
    )
    assert session.start["logGroupIdentifiers"] == [arn_of(group)]
    assert session.start["logStreamNamePrefixes"] == ["web"]
    assert session.start["logEventFilterPattern"] == "ERROR"
    assert session.start["sessionId"] and session.start["requestId"]


def test_every_message_is_labelled_with_the_json_protocols_content_type(endpoint: str, group: str) -> None:
    # AWS labels StartLiveTail's messages application/x-amz-json-1.1, the service's own content type,
    # not application/json (aws-sdk-rust's recording sdk/cloudwatchlogs/tests/success.json).
    body = json.dumps({"logGroupIdentifiers": [arn_of(group)]}).encode()
    headers = {"X-Amz-Target": "Logs_20140328.StartLiveTail", "Content-Type": "application/x-amz-json-1.1"}
    request = AWSRequest("POST", endpoint + "/", data=body, headers=headers)
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "logs", REGION).add_auth(request)
    answer = urllib3.request("POST", endpoint + "/", body=body, headers=dict(request.headers), preload_content=False)
    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/vnd.amazon.eventstream"
    messages, labels = EventStreamBuffer(), {}
    try:
        for chunk in answer.stream(1024):
            messages.add_data(chunk)
            labels.update({m.headers[":event-type"]: m.headers[":content-type"] for m in messages})
            if "sessionUpdate" in labels:
                break
    finally:
        answer.release_conn()
        answer.close()
    json_11 = "application/x-amz-json-1.1"
    assert labels == {"initial-response": json_11, "sessionStart": json_11, "sessionUpdate": json_11}


def test_events_put_after_the_start_arrive_in_session_updates(
    logs: Any, group: str, sessions: Callable[..., Session]
) -> None:
    put(logs, group, "s", "before the session")
    session = sessions(logGroupIdentifiers=[arn_of(group)])
    put(logs, group, "s", "first", "second")
    found = session.results_until(lambda got: len(got) >= 2)
    assert messages_of(found) == ["first", "second"]
    event = found[0]
    assert event["logStreamName"] == "s"
    assert event["logGroupIdentifier"] == arn_of(group)
    assert event["ingestionTime"] >= event["timestamp"] - 60_000
    assert set(event) == {"logStreamName", "logGroupIdentifier", "message", "timestamp", "ingestionTime"}


def test_a_regex_filter_that_would_backtrack_is_matched_in_linear_time(
    logs: Any, group: str, sessions: Callable[..., Session]
) -> None:
    # Matched with Python's re, this pattern against the 300-character event ran for minutes on
    # the event loop: PutLogEvents, and every other request to the server, went unanswered.
    session = sessions(logGroupIdentifiers=[arn_of(group)], logEventFilterPattern="%.*.*.*.*.*.*x%")
    put(logs, group, "s", "a" * 300, "a" * 50 + "x")
    found = session.results_until(lambda got: len(got) >= 1)
    assert messages_of(found) == ["a" * 50 + "x"]


def test_an_update_comes_every_second_even_without_events(
    group: str, sessions: Callable[..., Session]
) -> None:
    session = sessions(logGroupIdentifiers=[arn_of(group)])
    assert session.results_until(lambda got: False, updates=2) == []


def test_only_the_chosen_streams_and_matching_events_are_sent(
    logs: Any, group: str, sessions: Callable[..., Session]
) -> None:
    session = sessions(
        logGroupIdentifiers=[arn_of(group)], logStreamNamePrefixes=["web"], logEventFilterPattern="ERROR"
    )
    put(logs, group, "worker-1", "ERROR in the worker")
    put(logs, group, "web-1", "INFO all fine", "ERROR on the web", "last")
    put(logs, group, "web-2", "ERROR again")
    found = session.results_until(lambda got: len(got) >= 2)
    assert sorted(messages_of(found)) == ["ERROR again", "ERROR on the web"]


def test_named_streams_are_tailed_alone(logs: Any, group: str, sessions: Callable[..., Session]) -> None:
    session = sessions(logGroupIdentifiers=[arn_of(group)], logStreamNames=["b"])
    put(logs, group, "a", "from a")
    put(logs, group, "b", "from b")
    assert messages_of(session.results_until(lambda got: len(got) >= 1)) == ["from b"]


def test_events_of_other_groups_are_not_sent(logs: Any, group: str, sessions: Callable[..., Session]) -> None:
    other = unique("/pc/other")
    logs.create_log_group(logGroupName=other)
    try:
        session = sessions(logGroupIdentifiers=[arn_of(group)])
        put(logs, other, "s", "elsewhere")
        put(logs, group, "s", "here")
        assert messages_of(session.results_until(lambda got: len(got) >= 1)) == ["here"]
    finally:
        logs.delete_log_group(logGroupName=other)


# -- bad requests ---------------------------------------------------------------------------------


def test_more_than_ten_log_groups_are_refused(tail: Any, group: str) -> None:
    assert error_of(tail.start_live_tail, logGroupIdentifiers=[arn_of(group)] * 11) == (
        "InvalidParameterException",
        "1 validation error detected: Value at 'logGroupIdentifiers' failed to satisfy constraint: "
        "Member must have length less than or equal to 10",
    )


def test_stream_names_and_prefixes_together_are_refused(tail: Any, group: str) -> None:
    code, _ = error_of(
        tail.start_live_tail,
        logGroupIdentifiers=[arn_of(group)],
        logStreamNames=["a"],
        logStreamNamePrefixes=["b"],
    )
    assert code == "InvalidParameterException"


def test_stream_names_need_exactly_one_log_group(logs: Any, tail: Any, group: str) -> None:
    other = unique("/pc/other")
    logs.create_log_group(logGroupName=other)
    try:
        code, _ = error_of(
            tail.start_live_tail, logGroupIdentifiers=[arn_of(group), arn_of(other)], logStreamNames=["a"]
        )
        assert code == "InvalidParameterException"
    finally:
        logs.delete_log_group(logGroupName=other)


def test_a_missing_log_group_is_not_found(tail: Any) -> None:
    assert error_of(tail.start_live_tail, logGroupIdentifiers=[arn_of(unique("/pc/none"))]) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_a_log_group_arn_ending_with_a_wildcard_is_refused(tail: Any, group: str) -> None:
    code, _ = error_of(tail.start_live_tail, logGroupIdentifiers=[arn_of(group) + ":*"])
    assert code == "InvalidParameterException"


def test_a_malformed_filter_pattern_is_refused(tail: Any, group: str) -> None:
    code, _ = error_of(
        tail.start_live_tail, logGroupIdentifiers=[arn_of(group)], logEventFilterPattern="{ $.a = "
    )
    assert code == "InvalidParameterException"


# -- the ends of a session ----------------------------------------------------------------------


def test_a_session_the_client_closed_no_longer_counts_against_the_quota(endpoint: str) -> None:
    region = "eu-north-1"  # sessions are counted per account and region: this test's own
    tail, logs = tail_client(endpoint, region), make_client(endpoint, "logs", region=region)
    group = unique("/pc/quota")
    logs.create_log_group(logGroupName=group)
    opened = [Session(tail.start_live_tail(logGroupIdentifiers=[arn_of(group, region)])) for _ in range(15)]
    try:
        code, _ = error_of(tail.start_live_tail, logGroupIdentifiers=[arn_of(group, region)])
        assert code == "LimitExceededException"
        opened.pop().close()
        for _ in range(100):  # the server learns of the closed connection when it reads it
            try:
                opened.append(Session(tail.start_live_tail(logGroupIdentifiers=[arn_of(group, region)])))
                break
            except tail.exceptions.LimitExceededException:
                time.sleep(0.1)
        else:
            raise AssertionError("the closed session still counted")
    finally:
        for session in opened:
            session.close()
        logs.delete_log_group(logGroupName=group)


def test_stopping_the_server_ends_its_sessions() -> None:
    own = ServerProcess().start()
    try:
        logs, tail = own.client("logs"), tail_client(own.endpoint)
        group = unique("/pc/stop")
        logs.create_log_group(logGroupName=group)
        session = Session(tail.start_live_tail(logGroupIdentifiers=[arn_of(group)]))
    finally:
        code = own.stop()
    assert code == -signal.SIGTERM  # a clean exit: the open session did not hold it up until a kill
    assert [e for e in session.events if "sessionUpdate" not in e] == []  # the stream then ends


def test_a_session_times_out_with_a_session_timeout_exception() -> None:
    own = ServerProcess(env={"POCKETCLOUD_LOGS_LIVE_TAIL_SECONDS": "2"}).start()
    try:
        logs, tail = own.client("logs"), tail_client(own.endpoint)
        group = unique("/pc/timeout")
        logs.create_log_group(logGroupName=group)
        session = Session(tail.start_live_tail(logGroupIdentifiers=[arn_of(group)]))
        with pytest.raises(EventStreamError) as raised:
            for _ in session.events:
                pass
        assert raised.value.response["Error"]["Code"] == "SessionTimeoutException"
    finally:
        own.stop()


def test_a_lambda_functions_lines_are_tailed(
    server: ServerProcess, logs: Any, sessions: Callable[..., Session]
) -> None:
    iam: Any = server.client("iam")
    role = iam.create_role(RoleName=unique("tail-role"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    functions = Functions(server.client("lambda"), role)
    try:
        name = functions.python("def handler(event, context):\n    print('tailed', event['n'])\n")
        group = f"/aws/lambda/{name}"
        logs.create_log_group(logGroupName=group)
        session = sessions(logGroupIdentifiers=[arn_of(group)], logEventFilterPattern="tailed")
        invoke(functions.lam, name, {"n": 5})
        found = session.results_until(lambda got: len(got) >= 1)
        assert messages_of(found) == ["tailed 5\n"]  # a text-format line keeps its newline
        logs.delete_log_group(logGroupName=group)
    finally:
        functions.cleanup()
