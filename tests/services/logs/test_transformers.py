"""Transformers are validated, kept per log group and run by TestTransformer; field index
policies are kept per log group (or taken from the account's) and listed as field indexes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.services.logs.support import error_of, put, unique

PARSE_JSON: dict[str, Any] = {"parseJSON": {}}


def test_transformer_is_kept_and_read_back(logs: Any, group: str) -> None:
    config = [PARSE_JSON, {"addKeys": {"entries": [{"key": "env", "value": "prod"}]}}]
    logs.put_transformer(logGroupIdentifier=group, transformerConfig=config)
    got = logs.get_transformer(logGroupIdentifier=group)
    assert got["transformerConfig"] == config and got["logGroupIdentifier"] == group
    assert got["lastModifiedTime"] >= got["creationTime"]
    logs.delete_transformer(logGroupIdentifier=group)
    assert error_of(logs.get_transformer, logGroupIdentifier=group)[0] == "ResourceNotFoundException"


def test_first_processor_must_be_a_parser(logs: Any, group: str) -> None:
    assert error_of(
        logs.put_transformer,
        logGroupIdentifier=group,
        transformerConfig=[{"lowerCaseString": {"withKeys": ["a"]}}],
    ) == ("InvalidParameterException", "The first processor in a transformer must be a parser.")


def test_vended_log_parser_must_come_first(logs: Any, group: str) -> None:
    code, _ = error_of(
        logs.put_transformer, logGroupIdentifier=group, transformerConfig=[PARSE_JSON, {"parseVPC": {}}]
    )
    assert code == "InvalidParameterException"


def test_transformer_of_missing_group_is_not_found(logs: Any) -> None:
    assert (
        error_of(logs.put_transformer, logGroupIdentifier=unique("nogroup"), transformerConfig=[PARSE_JSON])[
            0
        ]
        == "ResourceNotFoundException"
    )


def test_test_transformer_runs_the_processors(logs: Any) -> None:
    config = [
        PARSE_JSON,
        {"addKeys": {"entries": [{"key": "env", "value": "prod"}]}},
        {"renameKeys": {"entries": [{"key": "lvl", "renameTo": "level"}]}},
        {"upperCaseString": {"withKeys": ["level"]}},
        {"typeConverter": {"entries": [{"key": "ms", "type": "integer"}]}},
        {"deleteKeys": {"withKeys": ["secret"]}},
    ]
    message = json.dumps({"lvl": "warn", "ms": "42", "secret": "x"})
    [result] = logs.test_transformer(transformerConfig=config, logEventMessages=[message])["transformedLogs"]
    assert result["eventNumber"] == 1 and result["eventMessage"] == message
    assert json.loads(result["transformedEventMessage"]) == {"level": "WARN", "ms": 42, "env": "prod"}


def test_key_value_parser_and_nested_keys(logs: Any) -> None:
    config = [
        {"parseKeyValue": {"destination": "kv"}},
        {"copyValue": {"entries": [{"source": "kv.user", "target": "who"}]}},
    ]
    [result] = logs.test_transformer(transformerConfig=config, logEventMessages=["user=ana&op=get"])[
        "transformedLogs"
    ]
    assert json.loads(result["transformedEventMessage"]) == {"kv": {"user": "ana", "op": "get"}, "who": "ana"}


def test_event_the_parser_cannot_parse_is_left_as_it_was(logs: Any) -> None:
    [result] = logs.test_transformer(transformerConfig=[PARSE_JSON], logEventMessages=["not json"])[
        "transformedLogs"
    ]
    assert result["transformedEventMessage"] == "not json"


@pytest.mark.parametrize(
    "processor",
    [
        {"substituteString": {"entries": [{"source": "a", "from": "(", "to": "x"}]}},
        {"substituteString": {"entries": [{"source": "a", "from": "b", "to": "\\9"}]}},
    ],
)
def test_substitute_string_with_a_malformed_expression_is_refused(
    logs: Any, group: str, processor: Any
) -> None:
    config = [PARSE_JSON, processor]
    assert error_of(logs.put_transformer, logGroupIdentifier=group, transformerConfig=config)[0] == (
        "InvalidParameterException"
    )
    assert error_of(logs.test_transformer, transformerConfig=config, logEventMessages=['{"a":"b"}'])[0] == (
        "InvalidParameterException"
    )


def test_csv_delimiter_of_more_than_one_character_is_refused(logs: Any) -> None:
    config = [{"csv": {"delimiter": "ab"}}]
    code, _ = error_of(logs.test_transformer, transformerConfig=config, logEventMessages=["1ab2"])
    assert code == "InvalidParameterException"


def test_csv_delimiter_may_be_a_tab_written_as_backslash_t(logs: Any) -> None:
    config = [{"csv": {"delimiter": "\\t", "columns": ["a", "b"]}}]
    [result] = logs.test_transformer(transformerConfig=config, logEventMessages=["1\t2"])["transformedLogs"]
    assert json.loads(result["transformedEventMessage"]) == {"a": "1", "b": "2"}


def test_integer_conversion_of_a_number_too_large_leaves_the_event(logs: Any) -> None:
    config = [PARSE_JSON, {"typeConverter": {"entries": [{"key": "a", "type": "integer"}]}}]
    [result] = logs.test_transformer(transformerConfig=config, logEventMessages=['{"a":1e999}'])[
        "transformedLogs"
    ]
    assert result["eventMessage"] == '{"a":1e999}'


def test_csv_field_too_long_to_parse_is_left_as_it_was(logs: Any) -> None:
    message = "x" * 200_000
    [result] = logs.test_transformer(transformerConfig=[{"csv": {}}], logEventMessages=[message])[
        "transformedLogs"
    ]
    assert result["transformedEventMessage"] == message


def test_event_nested_too_deeply_to_parse_is_left_as_it_was(logs: Any) -> None:
    message = '{"a":' * 50_000 + "1" + "}" * 50_000
    [result] = logs.test_transformer(transformerConfig=[PARSE_JSON], logEventMessages=[message])[
        "transformedLogs"
    ]
    assert result["transformedEventMessage"] == message


# -- index policies --------------------------------------------------------------------------------


def test_index_policy_is_described_and_its_fields_listed(logs: Any, group: str) -> None:
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    stamps = put(logs, group, "s", ["a", "b"])
    document = json.dumps({"Fields": ["requestId"], "FieldsV2": {"status": {"type": "FACET"}}})
    answered = logs.put_index_policy(logGroupIdentifier=group, policyDocument=document)["indexPolicy"]
    assert (answered["policyDocument"], answered["source"]) == (document, "LOG_GROUP")
    [described] = logs.describe_index_policies(logGroupIdentifiers=[group])["indexPolicies"]
    assert described["policyDocument"] == document
    indexes = logs.describe_field_indexes(logGroupIdentifiers=[group])["fieldIndexes"]
    assert {(i["fieldIndexName"], i["type"]) for i in indexes} == {
        ("requestId", "FIELD_INDEX"),
        ("status", "FACET"),
    }
    assert all((i["firstEventTime"], i["lastEventTime"]) == (stamps[0], stamps[1]) for i in indexes)
    logs.delete_index_policy(logGroupIdentifier=group)
    assert logs.describe_index_policies(logGroupIdentifiers=[group])["indexPolicies"] == []


def test_account_index_policy_applies_to_groups_without_their_own(logs: Any, group: str) -> None:
    name = unique("idx")
    logs.put_account_policy(
        policyName=name, policyDocument='{"Fields": ["traceId"]}', policyType="FIELD_INDEX_POLICY"
    )
    try:
        [described] = logs.describe_index_policies(logGroupIdentifiers=[group])["indexPolicies"]
        assert (described["source"], described["policyName"]) == ("ACCOUNT", name)
    finally:
        logs.delete_account_policy(policyName=name, policyType="FIELD_INDEX_POLICY")


@pytest.mark.parametrize(
    "document", ["{}", '{"Fields": []}', "nope", '{"Fields": ["a"], "FieldsV2": {"a": {"type": "FACET"}}}']
)
def test_malformed_index_policy_is_refused(logs: Any, group: str, document: str) -> None:
    assert error_of(logs.put_index_policy, logGroupIdentifier=group, policyDocument=document)[0] == (
        "InvalidParameterException"
    )


def test_deleting_missing_index_policy_is_not_found(logs: Any, group: str) -> None:
    assert error_of(logs.delete_index_policy, logGroupIdentifier=group)[0] == "ResourceNotFoundException"
