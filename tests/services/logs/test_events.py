"""Log events: PutLogEvents' limits and rejections, GetLogEvents' direction and tokens,
FilterLogEvents' streams, time range, order and paging, retention, persistence, the AWS CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess
from tests.services.logs.support import DAY_MS, error_of, now_ms, put

# -- PutLogEvents -------------------------------------------------------------------


@pytest.fixture
def stream(logs: Any, group: str) -> str:
    logs.create_log_stream(logGroupName=group, logStreamName="main")
    return "main"


def messages(answer: dict[str, Any]) -> list[str]:
    return [e["message"] for e in answer["events"]]


def test_put_returns_a_sequence_token_and_ignores_the_one_given(logs: Any, group: str, stream: str) -> None:
    first = logs.put_log_events(logGroupName=group, logStreamName=stream,
                                logEvents=[{"timestamp": now_ms(), "message": "one"}])
    assert first["nextSequenceToken"].isdigit()
    assert "rejectedLogEventsInfo" not in first
    # Since 2023 the token is ignored: a stale or made-up one is accepted, never InvalidSequenceToken.
    logs.put_log_events(logGroupName=group, logStreamName=stream, sequenceToken="49039859-not-a-token",
                        logEvents=[{"timestamp": now_ms(), "message": "two"}])
    logs.put_log_events(logGroupName=group, logStreamName=stream, sequenceToken=first["nextSequenceToken"],
                        logEvents=[{"timestamp": now_ms(), "message": "three"}])
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)) == ["one", "two", "three"]


def test_put_to_a_missing_stream_is_resource_not_found(logs: Any, group: str) -> None:
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName="nope",
                    logEvents=[{"timestamp": now_ms(), "message": "m"}]) == (
        "ResourceNotFoundException", "The specified log stream does not exist.")


def test_events_of_one_call_must_be_in_chronological_order(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName=stream,
                    logEvents=[{"timestamp": t, "message": "b"}, {"timestamp": t - 1, "message": "a"}]) == (
        "InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order.")
    # equal timestamps are in order
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t, "message": "a"}, {"timestamp": t, "message": "b"}])


def test_a_batch_may_not_span_more_than_24_hours(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    events = [{"timestamp": t - DAY_MS - 1, "message": "a"}, {"timestamp": t, "message": "b"}]
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName=stream, logEvents=events) == (
        "InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")


def test_batch_size_counts_26_bytes_per_event(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    # 4 events of 262,118 bytes + 26 each: exactly 1,048,576 is allowed ...
    fits = [{"timestamp": t, "message": "x" * 262_118} for _ in range(4)]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=fits)
    # ... one byte more is not; multi-byte characters count in UTF-8
    over = fits[:3] + [{"timestamp": t, "message": "x" * 262_117 + "é"}]
    assert error_of(logs.put_log_events, logGroupName=group, logStreamName=stream, logEvents=over) == (
        "InvalidParameterException", "Upload too large: 1048577 bytes exceeds limit of 1048576")


def test_at_most_10000_events_per_call(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    logs.put_log_events(logGroupName=group, logStreamName=stream,
                        logEvents=[{"timestamp": t, "message": "m"}] * 10_000)
    code, message = error_of(logs.put_log_events, logGroupName=group, logStreamName=stream,
                             logEvents=[{"timestamp": t, "message": "m"}] * 10_001)
    assert code == "InvalidParameterException"
    assert "Member must have length less than or equal to 10000" in message


def test_empty_batch_and_empty_message_are_invalid(unchecked: Any, group: str, stream: str) -> None:
    code, message = error_of(unchecked.put_log_events, logGroupName=group, logStreamName=stream, logEvents=[])
    assert (code, message) == ("InvalidParameterException", "1 validation error detected: Value '[]' at 'logEvents' "
                               "failed to satisfy constraint: Member must have length greater than or equal to 1")
    assert error_of(unchecked.put_log_events, logGroupName=group, logStreamName=stream,
                    logEvents=[{"timestamp": now_ms(), "message": ""}])[0] == "InvalidParameterException"


def test_too_old_and_too_new_events_are_rejected_and_the_rest_kept(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    events = [
        {"timestamp": t - 15 * DAY_MS, "message": "too old 1"},
        {"timestamp": t - 14 * DAY_MS - 60_000, "message": "too old 2"},
        {"timestamp": t - 1000, "message": "kept 1"},
        {"timestamp": t, "message": "kept 2"},
        {"timestamp": t + 2 * 3_600_000 + 60_000, "message": "too new 1"},
        {"timestamp": t + 3 * 3_600_000, "message": "too new 2"},
    ]
    answer = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    assert answer["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 4}
    got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    assert messages(got) == ["kept 1", "kept 2"]


def test_events_older_than_the_retention_are_rejected_as_expired(logs: Any, group: str, stream: str) -> None:
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    t = now_ms()
    answer = logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[
        {"timestamp": t - 3 * DAY_MS, "message": "expired"},
        {"timestamp": t, "message": "fresh"},
    ])
    assert answer["rejectedLogEventsInfo"] == {"expiredLogEventEndIndex": 1}
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["fresh"]


# -- GetLogEvents -----------------------------------------------------------------------


@pytest.fixture
def ten(logs: Any, group: str, stream: str) -> list[int]:
    """Ten events m0..m9, one ms apart."""
    return put(logs, group, stream, [f"m{i}" for i in range(10)])


def test_get_defaults_to_the_newest_events_in_time_order(logs: Any, group: str, stream: str, ten: list[int]) -> None:
    answer = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=3)
    assert messages(answer) == ["m7", "m8", "m9"]
    event = answer["events"][0]
    assert set(event) == {"timestamp", "message", "ingestionTime"} and event["timestamp"] == ten[7]
    assert answer["nextForwardToken"].startswith("f/") and answer["nextBackwardToken"].startswith("b/")


def test_start_from_head_reads_forward_to_the_end_where_the_token_repeats(
        logs: Any, group: str, stream: str, ten: list[int]) -> None:
    seen: list[str] = []
    token = None
    for _ in range(10):
        kwargs: dict[str, str] = {"nextToken": token} if token else {}
        answer = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=4, **kwargs)
        seen += messages(answer)
        if answer["nextForwardToken"] == token:
            assert answer["events"] == []
            break
        token = answer["nextForwardToken"]
    assert seen == [f"m{i}" for i in range(10)]
    # new events show up behind the last token
    put(logs, group, stream, ["m10"], start=ten[-1] + 1)
    later = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=token, startFromHead=True)
    assert messages(later) == ["m10"]


def test_backward_token_pages_toward_the_start(logs: Any, group: str, stream: str, ten: list[int]) -> None:
    answer = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4)
    pages = [messages(answer)]
    while True:
        token = answer["nextBackwardToken"]
        answer = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4, nextToken=token)
        if answer["nextBackwardToken"] == token:
            assert answer["events"] == []
            break
        pages.append(messages(answer))
    assert pages == [["m6", "m7", "m8", "m9"], ["m2", "m3", "m4", "m5"], ["m0", "m1"]]
    # and the forward token of a backward page goes back the other way
    middle = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=2,
                                 nextToken=logs.get_log_events(logGroupName=group, logStreamName=stream, limit=4)["nextBackwardToken"])
    assert messages(middle) == ["m4", "m5"]
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True,
                                        nextToken=middle["nextForwardToken"], limit=2)) == ["m6", "m7"]


def test_time_window_includes_start_and_excludes_end(logs: Any, group: str, stream: str, ten: list[int]) -> None:
    answer = logs.get_log_events(logGroupName=group, logStreamName=stream, startTime=ten[2], endTime=ten[5], startFromHead=True)
    assert messages(answer) == ["m2", "m3", "m4"]
    answer = logs.get_log_events(logGroupName=group, logStreamName=stream, startTime=ten[2], endTime=ten[5])
    assert messages(answer) == ["m2", "m3", "m4"]


def test_empty_stream_gives_tokens_that_see_later_events(logs: Any, group: str, stream: str) -> None:
    answer = logs.get_log_events(logGroupName=group, logStreamName=stream)
    assert answer["events"] == []
    put(logs, group, stream, ["late"])
    later = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, nextToken=answer["nextForwardToken"])
    assert messages(later) == ["late"]


def test_get_errors(logs: Any, group: str, stream: str) -> None:
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName="nope") == (
        "ResourceNotFoundException", "The specified log stream does not exist.")
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName=stream, nextToken="garbage")[0] == "InvalidParameterException"
    assert error_of(logs.get_log_events, logGroupName=group, logStreamName=stream, limit=10_001)[0] == "InvalidParameterException"


def test_get_by_log_group_arn(logs: Any, group: str, stream: str, ten: list[int]) -> None:
    arn = f"arn:aws:logs:us-east-1:{ROOT_ACCOUNT}:log-group:{group}"
    assert messages(logs.get_log_events(logGroupIdentifier=arn, logStreamName=stream, limit=1)) == ["m9"]


# -- FilterLogEvents -------------------------------------------------------------------------


@pytest.fixture
def three_streams(logs: Any, group: str) -> dict[str, list[int]]:
    """Streams a-1, a-2, b-1 with interleaved events: a-1 at t0,t3,t6; a-2 at t1,t4,t7; b-1 at t2,t5,t8."""
    base = now_ms() - 120_000
    stamps: dict[str, list[int]] = {}
    for offset, name in enumerate(["a-1", "a-2", "b-1"]):
        logs.create_log_stream(logGroupName=group, logStreamName=name)
        stamps[name] = [base + offset + 3 * i for i in range(3)]
        logs.put_log_events(logGroupName=group, logStreamName=name, logEvents=[
            {"timestamp": t, "message": f"{name} #{i} {'ERROR' if i == 1 else 'INFO'}"} for i, t in enumerate(stamps[name])])
    return stamps


def test_filter_interleaves_streams_in_time_order(logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    answer = logs.filter_log_events(logGroupName=group)
    assert [(e["logStreamName"], e["message"].split()[1]) for e in answer["events"]] == [
        (s, f"#{i}") for i in range(3) for s in ("a-1", "a-2", "b-1")]
    assert answer["searchedLogStreams"] == []
    assert "nextToken" not in answer
    event = answer["events"][0]
    assert set(event) == {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"}


def test_filter_by_stream_names_prefix_and_pattern(logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    errors = logs.filter_log_events(logGroupName=group, filterPattern="ERROR")["events"]
    assert [e["message"] for e in errors] == ["a-1 #1 ERROR", "a-2 #1 ERROR", "b-1 #1 ERROR"]
    named = logs.filter_log_events(logGroupName=group, logStreamNames=["b-1"])["events"]
    assert {e["logStreamName"] for e in named} == {"b-1"}
    assert error_of(logs.filter_log_events, logGroupName=group, logStreamNames=["b-1", "absent"]) == (
        "ResourceNotFoundException", "The specified log stream does not exist.")
    prefixed = logs.filter_log_events(logGroupName=group, logStreamNamePrefix="a-")["events"]
    assert {e["logStreamName"] for e in prefixed} == {"a-1", "a-2"}
    assert error_of(logs.filter_log_events, logGroupName=group, logStreamNames=["a-1"],
                    logStreamNamePrefix="a")[0] == "InvalidParameterException"


def test_filter_time_range_is_inclusive_at_both_ends(logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    start, end = three_streams["a-2"][0], three_streams["a-2"][1]  # t1 .. t4
    answer = logs.filter_log_events(logGroupName=group, startTime=start, endTime=end)
    assert [e["timestamp"] - three_streams["a-1"][0] for e in answer["events"]] == [1, 2, 3, 4]


def test_filter_pages_with_next_token_and_event_ids_are_stable(
        logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    whole = logs.filter_log_events(logGroupName=group)["events"]
    ids = [e["eventId"] for e in whole]
    assert len(set(ids)) == 9
    paged: list[dict[str, Any]] = []
    token: dict[str, str] = {}
    while True:
        answer = logs.filter_log_events(logGroupName=group, limit=4, **token)
        assert len(answer["events"]) <= 4
        paged += answer["events"]
        if "nextToken" not in answer:
            break
        token = {"nextToken": answer["nextToken"]}
    assert paged == whole
    paginator = logs.get_paginator("filter_log_events").paginate(logGroupName=group, PaginationConfig={"PageSize": 2})
    assert [e["eventId"] for page in paginator for e in page["events"]] == ids


def test_filter_newest_first_when_start_from_head_is_false(logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    start = three_streams["a-1"][0]
    first = logs.filter_log_events(logGroupName=group, startTime=start, startFromHead=False, limit=5)
    rest = logs.filter_log_events(logGroupName=group, startTime=start, nextToken=first["nextToken"])
    stamps = [e["timestamp"] for e in first["events"] + rest["events"]]
    assert stamps == sorted(stamps, reverse=True) and len(stamps) == 9
    assert error_of(logs.filter_log_events, logGroupName=group, startTime=1_600_000_000_000,
                    startFromHead=False)[0] == "InvalidParameterException"


def test_filter_by_log_group_identifier(logs: Any, group: str, three_streams: dict[str, list[int]]) -> None:
    arn = f"arn:aws:logs:us-east-1:{ROOT_ACCOUNT}:log-group:{group}"
    assert len(logs.filter_log_events(logGroupIdentifier=arn)["events"]) == 9
    assert error_of(logs.filter_log_events, logGroupName=group, logGroupIdentifier=arn)[0] == "InvalidParameterException"


def test_invalid_filter_pattern_is_invalid_parameter(logs: Any, group: str) -> None:
    assert error_of(logs.filter_log_events, logGroupName=group, filterPattern='{ $.level = "ERROR"') == (
        "InvalidParameterException", "If a filter pattern starts with '{' it must end with '}'")
    assert error_of(logs.filter_log_events, logGroupName=group, filterPattern="%(group)%")[0] == "InvalidParameterException"


# -- retention ----------------------------------------------------------------------------------


def test_retention_deletes_older_events_for_good(logs: Any, group: str, stream: str) -> None:
    t = now_ms()
    for age, message in ((4 * DAY_MS, "four days"), (2 * DAY_MS, "two days"), (3_600_000, "an hour")):
        logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": t - age, "message": message}])
    logs.put_retention_policy(logGroupName=group, retentionInDays=3)
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream)) == ["two days", "an hour"]
    logs.put_retention_policy(logGroupName=group, retentionInDays=1)
    assert messages(logs.filter_log_events(logGroupName=group)) == ["an hour"]
    # deleted, not hidden: lifting the retention brings nothing back
    logs.delete_retention_policy(logGroupName=group)
    assert messages(logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)) == ["an hour"]


# -- durability and the AWS CLI ------------------------------------------------------------------


def test_groups_streams_and_events_survive_a_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(data_dir=tmp_path).start()
    try:
        logs: Any = server.client("logs")
        logs.create_log_group(logGroupName="durable", tags={"k": "v"})
        logs.put_retention_policy(logGroupName="durable", retentionInDays=7)
        logs.create_log_stream(logGroupName="durable", logStreamName="s")
        put(logs, "durable", "s", ["before the crash"])
        server.kill9()
        server.start()
        logs = server.client("logs")
        [found] = logs.describe_log_groups(logGroupNamePrefix="durable")["logGroups"]
        assert found["retentionInDays"] == 7
        assert logs.list_tags_log_group(logGroupName="durable")["tags"] == {"k": "v"}
        put(logs, "durable", "s", ["after"])
        assert messages(logs.get_log_events(logGroupName="durable", logStreamName="s", startFromHead=True)) == [
            "before the crash", "after"]
    finally:
        server.stop()


def test_aws_cli_filter_log_events(logs: Any, group: str, stream: str, aws_env: dict[str, str]) -> None:
    put(logs, group, stream, [json.dumps({"level": "INFO", "n": 1}), json.dumps({"level": "ERROR", "n": 2}), "plain ERROR"])
    result = subprocess.run(
        [sys.executable, "-m", "awscli", "logs", "filter-log-events", "--log-group-name", group,
         "--filter-pattern", '{ $.level = "ERROR" }', "--output", "json"],
        env=aws_env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    events = json.loads(result.stdout)["events"]
    assert [json.loads(e["message"])["n"] for e in events] == [2]
    assert events[0]["logStreamName"] == stream
