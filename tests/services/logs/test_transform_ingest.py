"""Log transformers at ingestion: events put into a group with a transformer (its own, or the
account's TRANSFORMER_POLICY) are transformed as they arrive. GetLogEvents and FilterLogEvents
answer the events as they were put; Logs Insights sees the fields of the transformed version
(and @transformationError where the transformer failed); nothing ingested earlier changes.
Lambda's own lines go through the same ingestion."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, invoke, log_messages
from tests.services.logs.support import put_now, subscriber_function, unique

PARSE_AND_TAG = [
    {"parseJSON": {}},
    {"addKeys": {"entries": [{"key": "team", "value": "payments"}]}},
    {"copyValue": {"entries": [{"source": "@logGroupName", "target": "group"}]}},
]


def insights_rows(logs: Any, group: str, query: str) -> list[dict[str, str]]:
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=group, startTime=now - 3600, endTime=now + 60, queryString=query
    )["queryId"]
    for _ in range(50):
        answer = logs.get_query_results(queryId=query_id)
        if answer["status"] == "Complete":
            return [{f["field"]: f["value"] for f in row} for row in answer["results"]]
        time.sleep(0.1)
    raise AssertionError("the query did not complete")


def test_get_and_filter_log_events_answer_the_event_as_it_was_put(logs: Any, group: str) -> None:
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    message = '{"level":"ERROR","n":1}'
    put_now(logs, group, "s", message)
    got = logs.get_log_events(logGroupName=group, logStreamName="s")["events"]
    assert [e["message"] for e in got] == [message]
    filtered = logs.filter_log_events(logGroupName=group, filterPattern='{ $.level = "ERROR" }')["events"]
    assert [e["message"] for e in filtered] == [message]
    # The transformer's key is not in the stored event that FilterLogEvents matches.
    assert logs.filter_log_events(logGroupName=group, filterPattern='{ $.team = "payments" }')["events"] == []


def test_insights_sees_the_fields_of_the_transformed_event(logs: Any, group: str) -> None:
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    put_now(logs, group, "s", '{"level":"ERROR","n":1}')
    rows = insights_rows(logs, group, "fields level, team, group, @message")
    assert len(rows) == 1
    assert rows[0]["level"] == "ERROR"
    assert rows[0]["team"] == "payments"
    assert rows[0]["group"] == group  # copied from the @logGroupName metadata key
    assert rows[0]["@message"] == '{"level":"ERROR","n":1}'


def test_a_key_value_event_is_parsed_for_insights(logs: Any, group: str) -> None:
    logs.put_transformer(
        logGroupIdentifier=group,
        transformerConfig=[{"parseKeyValue": {"fieldDelimiter": " ", "keyValueDelimiter": "="}}],
    )
    put_now(logs, group, "s", "user=ana status=500")
    rows = insights_rows(logs, group, 'fields user | filter status = "500"')
    assert [r["user"] for r in rows] == ["ana"]


def test_an_event_the_parser_cannot_parse_has_a_transformation_error(logs: Any, group: str) -> None:
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    put_now(logs, group, "s", "not json at all")
    rows = insights_rows(logs, group, "filter ispresent(@transformationError) | fields @message, team")
    assert len(rows) == 1
    assert rows[0]["@message"] == "not json at all"
    assert "team" not in rows[0]
    assert (
        logs.get_log_events(logGroupName=group, logStreamName="s")["events"][0]["message"]
        == "not json at all"
    )


def test_only_events_put_while_the_transformer_exists_are_transformed(logs: Any, group: str) -> None:
    put_now(logs, group, "s", '{"n":"before"}')
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    put_now(logs, group, "s", '{"n":"during"}')
    logs.delete_transformer(logGroupIdentifier=group)
    put_now(logs, group, "s", '{"n":"after"}')
    rows = insights_rows(logs, group, "fields n, team | sort @timestamp asc")
    assert {r["n"]: r.get("team") for r in rows} == {"before": None, "during": "payments", "after": None}


@pytest.fixture
def account_transformer(logs: Any) -> Iterator[str]:
    """An account TRANSFORMER_POLICY that selects the groups named with the prefix it yields."""
    prefix, name = unique("/pc/acct-tx"), unique("tx")
    logs.put_account_policy(
        policyName=name,
        policyType="TRANSFORMER_POLICY",
        policyDocument=json.dumps(
            {
                "transformerConfig": [
                    {"parseJSON": {}},
                    {"addKeys": {"entries": [{"key": "via", "value": "account"}]}},
                ]
            }
        ),
        selectionCriteria=f'LogGroupNamePrefix IN ["{prefix}"]',
    )
    yield prefix
    logs.delete_account_policy(policyName=name, policyType="TRANSFORMER_POLICY")


def test_the_account_transformer_policy_transforms_the_groups_it_selects(
    logs: Any, account_transformer: str
) -> None:
    chosen, other = account_transformer + "-a", unique("/pc/not-chosen")
    for name in (chosen, other):
        logs.create_log_group(logGroupName=name)
        put_now(logs, name, "s", '{"n":1}')
    try:
        assert [r.get("via") for r in insights_rows(logs, chosen, "fields n, via")] == ["account"]
        assert [r.get("via") for r in insights_rows(logs, other, "fields n, via")] == [None]
    finally:
        for name in (chosen, other):
            logs.delete_log_group(logGroupName=name)


def test_a_groups_own_transformer_wins_over_the_account_policy(logs: Any, account_transformer: str) -> None:
    name = account_transformer + "-own"
    logs.create_log_group(logGroupName=name)
    try:
        logs.put_transformer(logGroupIdentifier=name, transformerConfig=PARSE_AND_TAG)
        put_now(logs, name, "s", '{"n":1}')
        rows = insights_rows(logs, name, "fields via, team")
        assert [(r.get("via"), r.get("team")) for r in rows] == [(None, "payments")]
    finally:
        logs.delete_log_group(logGroupName=name)


PRINTS_JSON = "import json\ndef handler(event, context):\n    print(json.dumps({'order': event['order']}))\n    return 1\n"


def test_a_lambda_functions_lines_are_transformed_in_its_log_group(logs: Any, functions: Functions) -> None:
    name = functions.python(PRINTS_JSON)
    group = f"/aws/lambda/{name}"
    logs.create_log_group(logGroupName=group)
    try:
        logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
        invoke(functions.lam, name, {"order": "o-17"})
        rows = insights_rows(logs, group, "fields order, team | filter ispresent(order)")
        assert rows == [{"order": "o-17", "team": "payments", "@ptr": rows[0]["@ptr"]}]
        # The platform's START/END/REPORT lines are no JSON: their transformation failed.
        failed = insights_rows(logs, group, "filter ispresent(@transformationError) | fields @message")
        assert any(r["@message"].startswith("REPORT RequestId:") for r in failed)
    finally:
        logs.delete_log_group(logGroupName=group)


def test_a_subscription_filter_on_transformed_logs_matches_and_sends_the_transformed_event(
    logs: Any, group: str, functions: Functions
) -> None:
    subscriber, arn = subscriber_function(functions)
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    for name, transformed in (("on-transformed", True), ("on-original", False)):
        logs.put_subscription_filter(
            logGroupName=group,
            filterName=name,
            filterPattern='{ $.team = "payments" }',
            destinationArn=arn,
            applyOnTransformedLogs=transformed,
        )
    put_now(logs, group, "s", '{"n":7}')
    found = log_messages(logs, f"/aws/lambda/{subscriber}", contains="got ", wait=20)
    sent = [m for m in found if m.startswith("got ")]
    assert len(sent) == 1  # the filter on the original events matched nothing
    assert json.loads(sent[0].removeprefix("got ")) == {"n": 7, "team": "payments", "group": group}


def test_a_data_protection_policy_masks_the_transformed_fields_insights_sees(logs: Any, group: str) -> None:
    policy = {
        "Name": "data-protection-policy",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "redact",
                "DataIdentifier": ["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],
                "Operation": {"Deidentify": {"MaskConfig": {}}},
            },
        ],
    }
    logs.put_data_protection_policy(logGroupIdentifier=group, policyDocument=json.dumps(policy))
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=PARSE_AND_TAG)
    put_now(logs, group, "s", '{"email":"ana@example.com"}')
    [row] = insights_rows(logs, group, "fields email, team")
    assert row["email"] == "*" * len("ana@example.com")
    assert row["team"] == "payments"


def test_a_substitution_that_backtracks_without_end_fails_the_event_not_the_server(
    logs: Any, group: str
) -> None:
    # "(a|aa)+$" over 40 "a"s and a "!" backtracks for minutes: the two ways to match each "a" double
    # the work with every one ("(a+)+$" held the server this way under Python's re).
    config = [
        {"parseJSON": {}},
        {"substituteString": {"entries": [{"source": "text", "from": "(a|aa)+$", "to": "x"}]}},
    ]
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=config)
    slow = json.dumps({"text": "a" * 40 + "!"})
    # Unbounded, the first put would hold the server for minutes (the client times out); bounded, the
    # event is stored with a transformation error and the server goes on to the next.
    put_now(logs, group, "s", slow)
    put_now(logs, group, "s", json.dumps({"text": "aaa"}))
    got = logs.get_log_events(logGroupName=group, logStreamName="s", startFromHead=True)["events"]
    assert [e["message"] for e in got] == [slow, json.dumps({"text": "aaa"})]
    failed = insights_rows(logs, group, "filter ispresent(@transformationError) | fields @message")
    assert [row["@message"] for row in failed] == [slow]  # the event it gave up on
    finished = insights_rows(logs, group, "filter not ispresent(@transformationError) | fields text")
    assert [row["text"] for row in finished] == ["x"]  # the event the substitution finished
