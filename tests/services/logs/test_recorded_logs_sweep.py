"""CloudWatch Logs answers from LocalStack's AWS-validated Logs tests not asserted elsewhere here.

Evidence: the stored public repository localstack/localstack, tests/aws/services/logs/ (test_logs.py,
test_logs_groups.py, test_logs_streams.py, test_logs_events.py, test_logs_export_tasks.py,
test_logs_queries.py, test_logs_resource_policies.py, test_logs_destinations.py and
test_logs_filter_events.py) and the answers AWS gave their `@markers.aws.validated` tests, recorded in
the *.snapshot.json beside them. Replayed against pocketcloud, every recorded answer matched; those
already asserted by test_api_conformance.py, test_groups_streams.py, test_events.py, test_exports.py,
test_insights.py, test_kms_and_destinations.py and test_recorded_logs_parity.py are not repeated.
"""

from __future__ import annotations

from typing import Any

from tests.services.logs.support import now_ms, unique


def test_a_multi_byte_message_is_read_back_as_written(logs: Any, group: str) -> None:
    # TestLogsEvents::test_put_events_multi_bytes_msg: 4-byte and 3-byte UTF-8 characters survive.
    stream, message = unique("stream"), "🙀 - 参よ - 日本語"
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": now_ms(), "message": message}])
    assert [e["message"] for e in logs.get_log_events(logGroupName=group, logStreamName=stream)["events"]] == [message]
    assert [e["message"] for e in logs.filter_log_events(logGroupName=group, filterPattern="参よ")["events"]] == [
        message
    ]


def test_events_read_from_the_head_come_oldest_first_a_page_at_a_time(logs: Any, group: str) -> None:
    # TestLogsEvents::test_get_log_events_start_from_head: limit 10 of 20, from "message 0".
    stream, start = unique("stream"), now_ms() - 60_000
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events = [{"timestamp": start + i * 100, "message": f"message {i}"} for i in range(20)]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, limit=10, startFromHead=True)
    assert [e["message"] for e in page["events"]] == [f"message {i}" for i in range(10)]
    rest = logs.get_log_events(
        logGroupName=group, logStreamName=stream, limit=10, startFromHead=True, nextToken=page["nextForwardToken"]
    )
    assert [e["message"] for e in rest["events"]] == [f"message {i}" for i in range(10, 20)]
