"""The examples of AWS's "Filter pattern syntax for metric filters, subscription filters, filter
log events, and Live Tail" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html),
section by section, through TestMetricFilter and FilterLogEvents: the events each example
matches, and the patterns AWS refuses with InvalidParameterException "Invalid character(s) in
term '...'" (the term or character it names)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.services.logs.support import error_of, put

# The JSON log event of the page's "Using filter patterns to match terms in JSON log events".
TRAIL = json.dumps(
    {
        "eventType": "UpdateTrail",
        "sourceIPAddress": "111.111.111.111",
        "arrayKey": ["value", "another value"],
        "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
        "SomeObject": None,
        "cluster.name": "c",
    }
)
# The space-delimited log events of the page's "Using filter patterns to match terms in space-delimited log events".
SERVICE = [
    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
    "WARNING 09/25/2014 12:00:02 Invalid user request",
    "ERROR 09/25/2014 12:00:02 Failed to process request",
]


def metric_matches(logs: Any, pattern: str, messages: list[str]) -> list[str]:
    """The messages TestMetricFilter says `pattern` matches."""
    return [
        m["eventMessage"]
        for m in logs.test_metric_filter(filterPattern=pattern, logEventMessages=messages)["matches"]
    ]


def filter_matches(logs: Any, group: str, pattern: str, messages: list[str]) -> list[str]:
    """The messages FilterLogEvents returns for `pattern` once `messages` are stored in `group`."""
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    put(logs, group, "s", messages)
    return [e["message"] for e in logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"]]


def refusal(logs: Any, pattern: str) -> tuple[str, str]:
    return error_of(logs.test_metric_filter, filterPattern=pattern, logEventMessages=["x"])


# -- unstructured log events -----------------------------------------------------------------


def test_question_mark_terms_are_ignored_beside_another_term(logs: Any, group: str) -> None:
    """FilterAndPatternSyntax.html, "Match optional terms": "If you combine "?" with other filter
    patterns, all question mark terms will be ignored": `?ERROR ?ARGUMENTS REQUEST` matches all
    events containing REQUEST."""
    messages = [
        "[INFO] REQUEST FAILED",
        "[WARN] UNAUTHORIZED REQUEST",
        "[ERROR] 400 BAD REQUEST",
        "[ERROR 419] MISSING ARGUMENTS",
    ]
    expected = messages[:3]
    assert metric_matches(logs, "?ERROR ?ARGUMENTS REQUEST", messages) == expected
    assert filter_matches(logs, group, "?ERROR ?ARGUMENTS REQUEST", messages) == expected


def test_a_blank_quoted_pattern_matches_every_event(logs: Any, group: str) -> None:
    """FilterAndPatternSyntax.html, "Match everything": the pattern `" "` returns all log events,
    those without a space too."""
    messages = ["[ERROR 400] BAD REQUEST", "nospace"]
    assert metric_matches(logs, '" "', messages) == messages
    assert filter_matches(logs, group, '" "', messages) == messages


@pytest.mark.parametrize(
    "pattern, character",
    [
        ("?Status: timeout", ":"),
        ("PlayerSpawnedInWorld (reason", "("),
        ("@message like /checkout/", "@"),
        ("ERROR retrievedReferences[]", "["),
        ("level\\x", "\\"),
        ("`ERROR", "`"),
        ("ERROR a,b", ","),
    ],
)
def test_an_unquoted_term_with_a_symbol_is_refused(logs: Any, pattern: str, character: str) -> None:
    """FilterAndPatternSyntax.html, unstructured log events: "Enclose exact phrases and terms that
    include non-alphanumeric characters in double quotation marks"; AWS names the first character
    it refuses."""
    assert refusal(logs, pattern) == (
        "InvalidParameterException",
        f"Invalid character(s) in term '{character}'",
    )


def test_a_quoted_term_may_hold_those_symbols(logs: Any) -> None:
    """FilterAndPatternSyntax.html, unstructured log events: the same term in double quotation marks
    is a phrase to find."""
    assert metric_matches(
        logs, '"Status: timeout (retry)"', ["Status: timeout (retry) 3", "Status timeout"]
    ) == ["Status: timeout (retry) 3"]


# -- JSON log events -----------------------------------------------------------------------------


def test_a_wildcard_selects_every_array_element(logs: Any, group: str) -> None:
    """FilterAndPatternSyntax.html, "Filter pattern that uses a wildcard to match values of any
    element in the array using regex": `{ $.arrayKey[*] = %val.{2}% }` matches the example event."""
    other = json.dumps({"arrayKey": ["vax", "another"]})
    assert metric_matches(logs, "{ $.arrayKey[*] = %val.{2}% }", [TRAIL, other]) == [TRAIL]
    assert filter_matches(logs, group, "{ $.arrayKey[*] = %val.{2}% }", [TRAIL, other]) == [TRAIL]


def test_a_wildcard_selects_every_field(logs: Any) -> None:
    """FilterAndPatternSyntax.html: `{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }` matches the example
    event by its sourceIPAddress."""
    other = json.dumps({"sourceIPAddress": "111.111.111.2"})
    assert metric_matches(logs, r"{ $.* = %111\.111\.111\.1[0-9]{1,2}% }", [TRAIL, other]) == [TRAIL]


def test_a_wildcard_selects_a_field_of_every_element(logs: Any) -> None:
    """FilterAndPatternSyntax.html: "You can use the JSON wildcard to select any array element or
    any JSON object field"; a condition on it holds when one of the values selected satisfies it."""
    assert metric_matches(logs, "{ $.objectList[*].id = 2 }", [TRAIL]) == [TRAIL]
    assert metric_matches(logs, "{ $.objectList[*].id = 3 }", [TRAIL]) == []


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.a[*].b[*] = 1 }",
        "{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 || $.d[*] = 1 }",
    ],
)
def test_wildcards_past_the_quota_are_refused(logs: Any, pattern: str) -> None:
    """FilterAndPatternSyntax.html, Quotas: "You can only use up to one wildcard selector in a
    property selector, and up to three wildcard selectors in a filter pattern with compound
    expressions." """
    assert refusal(logs, pattern)[0] == "InvalidParameterException"


def test_three_wildcards_in_a_compound_expression_are_accepted(logs: Any) -> None:
    """FilterAndPatternSyntax.html, Quotas: up to three wildcard selectors in a compound pattern."""
    message = json.dumps({"c": [0, 1]})
    assert metric_matches(logs, "{ $.a[*] = 1 || $.b.* = 1 || $.c[*] = 1 }", [message]) == [message]


def test_bracket_notation_selects_a_key_with_a_period(logs: Any) -> None:
    """FilterAndPatternSyntax.html, "Filter pattern that matches a JSON property with a period (.)
    in the key": `{ $.['cluster.name'] = "c" }` matches the example event, not a nested cluster.name."""
    nested = json.dumps({"cluster": {"name": "c"}})
    assert metric_matches(logs, "{ $.['cluster.name'] = \"c\" }", [TRAIL, nested]) == [TRAIL]


@pytest.mark.parametrize("pattern", ["{ $.SomeObject IS NOT NULL }", "{ $.eventType EXISTS }"])
def test_is_not_and_exists_are_refused(logs: Any, pattern: str) -> None:
    """FilterAndPatternSyntax.html, after the NOT EXISTS example: "The variables IS NOT and EXISTS
    currently aren't supported." """
    assert refusal(logs, pattern)[0] == "InvalidParameterException"


def test_a_hyphenated_key_is_selected_unquoted_and_refused_quoted(logs: Any) -> None:
    """FilterAndPatternSyntax.html: "Property selectors are alphanumeric strings that support hyphen
    ("-") and underscore ("_") characters"; a quoted key is not a selector, and AWS names `$."`."""
    message = json.dumps({"sc-status": "503"})
    assert metric_matches(logs, "{ $.sc-status = 5* }", [message]) == [message]
    assert refusal(logs, '{ $."sc-status" = 5* }') == (
        "InvalidParameterException",
        "Invalid character(s) in term '$.\"'",
    )


def test_conditions_are_joined_by_operators_not_commas(logs: Any) -> None:
    """FilterAndPatternSyntax.html: compound expressions use && and ||; a comma is a character AWS
    refuses."""
    assert refusal(logs, '{ $.message = "error", $.path = "/authenticate" }') == (
        "InvalidParameterException",
        "Invalid character(s) in term ','",
    )


@pytest.mark.parametrize(
    "pattern, character", [("{ $.email = a@example.com }", "@"), ("{ $.price = $5 }", "$")]
)
def test_an_unquoted_json_string_with_a_symbol_is_refused(logs: Any, pattern: str, character: str) -> None:
    """FilterAndPatternSyntax.html, JSON strings: "Strings that contain types other than alphanumeric
    characters and the underscore symbol must be placed in double quotation marks"."""
    assert refusal(logs, pattern) == (
        "InvalidParameterException",
        f"Invalid character(s) in term '{character}'",
    )


@pytest.mark.parametrize(
    "pattern, term",
    [
        ("{ $.eventType > UpdateTrail }", "UpdateTrail"),
        ('{ $.eventType >= "123" }', '"123"'),
    ],
)
def test_a_numeric_operator_needs_a_number(logs: Any, pattern: str, term: str) -> None:
    """FilterAndPatternSyntax.html, "Writing filter patterns that match numeric values": `<`, `>`,
    `<=`, `>=` take a Number; a word or a quoted string there is refused, named as written."""
    assert refusal(logs, pattern) == ("InvalidParameterException", f"Invalid character(s) in term '{term}'")


def test_a_json_number_compares_with_a_string_as_written(logs: Any) -> None:
    """FilterAndPatternSyntax.html, JSON strings and numbers: a quoted string compares with the
    number's text (12.0 is "12.0", not "12"); an unquoted number compares numerically."""
    message = '{"latency": 12.0}'
    assert metric_matches(logs, '{ $.latency != "12" }', [message]) == [message]
    assert metric_matches(logs, '{ $.latency = "12.0" }', [message]) == [message]
    assert metric_matches(logs, "{ $.latency = 12 }", [message]) == [message]


def test_numbers_in_scientific_notation(logs: Any) -> None:
    """FilterAndPatternSyntax.html: `{ $.number[0] = 1e+3 }` and `{ $.number[0] != 1e-3 }`."""
    message = '{"number": [1000]}'
    assert metric_matches(logs, "{ $.number[0] = 1e+3 }", [message]) == [message]
    assert metric_matches(logs, "{ $.number[0] != 1e-3 }", [message]) == [message]


# -- space-delimited log events ---------------------------------------------------------------


def test_the_seven_field_example_with_a_regex_field(logs: Any) -> None:
    """FilterAndPatternSyntax.html, space-delimited: `[ip=%127\\.0\\.0\\.[1-9]%, user, username,
    timestamp, request =*.html*, status_code = 4*, bytes]` parses the example event's seven fields."""
    event = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
    pattern = r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]"
    matches = logs.test_metric_filter(
        filterPattern=pattern, logEventMessages=[event, event.replace("127.0.0.1", "127.0.0.0")]
    )
    assert [(m["eventNumber"], m["extractedValues"]) for m in matches["matches"]] == [
        (
            1,
            {
                "$ip": "127.0.0.1",
                "$user": "Prod",
                "$username": "frank",
                "$timestamp": "10/Oct/2000:13:25:15 -0700",
                "$request": "GET /index.html HTTP/1.0",
                "$status_code": "404",
                "$bytes": "1534",
            },
        )
    ]


@pytest.mark.parametrize(
    "pattern, expected",
    [
        ("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", [SERVICE[0]]),
        (
            "[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]",
            [SERVICE[1]],
        ),
    ],
)
def test_the_resource_uri_examples(logs: Any, group: str, pattern: str, expected: list[str]) -> None:
    """FilterAndPatternSyntax.html, "Match the top level item" / "Match the child level item in a
    resource URI" against the page's four space-delimited events."""
    assert metric_matches(logs, pattern, SERVICE) == expected
    assert filter_matches(logs, group, pattern, SERVICE) == expected


def test_a_field_name_is_a_word(logs: Any) -> None:
    """FilterAndPatternSyntax.html, space-delimited: fields have names and `...` stands alone for
    unnamed ones; AWS refuses `[...fields, status=FAILED]`, naming the term."""
    assert refusal(logs, "[...fields, status=FAILED]") == (
        "InvalidParameterException",
        "Invalid character(s) in term '...fields'",
    )


# -- regular expressions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern, messages, expected",
    [
        ("%^[hc]at%", ["hat trick", "a cat"], ["hat trick"]),
        ("%[hc]at$%", ["a cat", "cat food"], ["a cat"]),
        ("%[abcx-z]%", ["y", "q"], ["y"]),
        (
            "%^starting|^initializing|^shutting down%",
            ["starting up", "initializing db", "shutting down", "skipping initializing db"],
            ["starting up", "initializing db", "shutting down"],
        ),
        (r"%\[.\]%", ["[a]", "[ ]", "[]]", "ab"], ["[a]", "[ ]", "[]]"]),
        ("%ab*c%", ["ac", "abbbc", "adc"], ["ac", "abbbc"]),
        ("%.at%", [" at", "at"], [" at"]),
        (r"%\d%", ["a1", "ab"], ["a1"]),
        (r"%\x3A%", ["a:b", "ab"], ["a:b"]),
        (r"%\x28%", ["f(x)", "fx"], ["f(x)"]),
    ],
)
def test_the_regex_operator_examples(
    logs: Any, pattern: str, messages: list[str], expected: list[str]
) -> None:
    """FilterAndPatternSyntax.html, "Usage of supported operators": each operator's example."""
    assert metric_matches(logs, pattern, messages) == expected


# -- quotas ---------------------------------------------------------------------------------------


def metric_filter(logs: Any, group: str, name: str, pattern: str) -> None:
    logs.put_metric_filter(
        logGroupName=group,
        filterName=name,
        filterPattern=pattern,
        metricTransformations=[{"metricName": "m", "metricNamespace": "pc/test", "metricValue": "1"}],
    )


def test_a_sixth_regex_filter_on_a_group_is_refused(logs: Any, group: str) -> None:
    """FilterAndPatternSyntax.html, Quotas: "There is a maximum of 5 filter patterns containing regex
    for each log group when creating metric filters or subscription filters." """
    for i in range(5):
        metric_filter(logs, group, f"regex-{i}", f"%ERROR {i}%")
    code, _ = error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="regex-5",
        filterPattern="%ERROR 5%",
        metricTransformations=[{"metricName": "m", "metricNamespace": "pc/test", "metricValue": "1"}],
    )
    assert code == "LimitExceededException"
    names = [f["filterName"] for f in logs.describe_metric_filters(logGroupName=group)["metricFilters"]]
    assert names == [f"regex-{i}" for i in range(5)]


def test_filters_without_regex_and_replaced_regex_filters_are_outside_the_quota(
    logs: Any, group: str
) -> None:
    """FilterAndPatternSyntax.html, Quotas: only patterns containing regex count, and putting a filter
    again under its name replaces it rather than adding one."""
    for i in range(5):
        metric_filter(logs, group, f"regex-{i}", f"%ERROR {i}%")
    metric_filter(logs, group, "regex-0", "%WARN%")
    metric_filter(logs, group, "plain", "ERROR")
    filters = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert sorted((f["filterName"], f["filterPattern"]) for f in filters) == [
        ("plain", "ERROR"),
        ("regex-0", "%WARN%"),
        *[(f"regex-{i}", f"%ERROR {i}%") for i in range(1, 5)],
    ]


# -- metric filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["?ERROR ?WARN", '"Server has closed the connection"', ""])
def test_dimensions_need_a_json_or_space_delimited_pattern(logs: Any, group: str, pattern: str) -> None:
    """Creating metrics from log events using filters: dimensions take their
    values from fields of the pattern ("only applicable for JSON or delimited filter patterns");
    AWS refuses them on a term pattern."""
    code, message = error_of(
        logs.put_metric_filter,
        logGroupName=group,
        filterName="f",
        filterPattern=pattern,
        metricTransformations=[
            {
                "metricName": "m",
                "metricNamespace": "pc/test",
                "metricValue": "1",
                "dimensions": {"Cluster": "c1"},
            }
        ],
    )
    assert (code, message) == (
        "InvalidParameterException",
        "The specified filter pattern does not support dimensions",
    )
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []


@pytest.mark.parametrize(
    "pattern, dimensions",
    [
        ('{ $.eventType = "UpdateTrail" }', {"EventType": "$.eventType"}),
        (
            "[ip, server, username, timestamp, request, status_code, bytes > 1000]",
            {"IP": "$ip", "Server": "$server"},
        ),
    ],
)
def test_dimensions_from_json_and_space_delimited_fields_are_kept(
    logs: Any, group: str, pattern: str, dimensions: dict[str, str]
) -> None:
    """Creating metrics from log events using filters: a JSON or space-delimited pattern publishes
    dimensions named after its fields ($.field, $field)."""
    transformation = {
        "metricName": "m",
        "metricNamespace": "pc/test",
        "metricValue": "1",
        "dimensions": dimensions,
    }
    logs.put_metric_filter(
        logGroupName=group, filterName="f", filterPattern=pattern, metricTransformations=[transformation]
    )
    described = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["metricTransformations"][0]["dimensions"] for f in described] == [dimensions]
