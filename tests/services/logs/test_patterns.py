"""Filter patterns, table-driven: each case is a pattern, a message, whether FilterLogEvents
returns it, and the rule of AWS's "Filter pattern syntax for metric filters, subscription
filters, filter log events, and Live Tail" (FilterAndPatternSyntax) it exercises. Every case
also goes through TestMetricFilter, which must agree; extracted fields and refused patterns
follow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.services.logs.support import error_of, now_ms, unique

# The JSON examples of the syntax page.
CLOUDTRAIL = json.dumps({
    "eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], "SomeObject": None, "ThisFlag": True,
})
USERS = json.dumps({
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
})
APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" {status} 1534'
APACHE_FIELDS = "[ip, user, username, timestamp, request, status_code, bytes]"

TERMS = "terms: case-sensitive, every term must appear"
QUOTED = "terms: exact phrases go in double quotes"
OR = "terms: ?term matches events with any of the ?-terms (OR)"
GROUPS = "terms: ?-terms are ignored once the pattern has any other term (only those must appear)"
EXCLUDE = "terms: -term excludes events containing the term"
EVERYTHING = 'terms: the pattern "" matches every event'
REGEX = "regex: %...% is a regular expression searched in the message"
JSON_EQ = "JSON: { SELECTOR = STRING } compares a property; $ is the root"
JSON_WILD = "JSON: * matches any text at the start or end of a value, nowhere else (Ev*ent only matches Ev*ent)"
JSON_ARRAY = "JSON: array elements are selected with [NUMBER]"
JSON_POSTFIX = "JSON: IS NULL / NOT EXISTS / IS TRUE / IS FALSE"
JSON_BOOL = "JSON: && and || combine conditions; () > && > ||"
JSON_VALUE_NODE = "JSON: the selector must reach a value node; objects and arrays match neither = nor !="
JSON_NUMBER = "JSON: numeric comparisons <, >, >=, <=, =, != with signed, decimal or scientific numbers"
JSON_ONLY = "JSON: a JSON pattern only matches JSON events"
JSON_REGEX = "JSON: a property may be compared with a %regex%"
DELIM = "space-delimited: one name per field; [] and \"\" enclose one field; the count must match"
DELIM_ELLIPSIS = "space-delimited: ... stands for any number of fields"
DELIM_COND = "space-delimited: conditions = and != on strings with *, numeric comparisons, && and ||"

CASES: list[tuple[str, str, bool, str]] = [
    ("ERROR", "[ERROR] A fatal exception has occurred", True, TERMS),
    ("ERROR", "Exiting with ERRORCODE: -1", True, TERMS),
    ("ERROR", "error: only in lower case", False, TERMS),
    ("ERROR Exception", "[ERROR] Caught IllegalArgumentException", True, TERMS),
    ("ERROR Exception", "[ERROR] Unhandled failure", False, TERMS),
    ("Failed to process the request", "the request: Failed to process", True, TERMS),
    ('"Failed to process the request"', "[WARN] Failed to process the request", True, QUOTED),
    ('"Failed to process the request"', "[WARN] Failed to process request", False, QUOTED),
    ('"user@example.com"', "login by user@example.com ok", True, QUOTED),
    ("?ERROR ?WARN", "WARN message", True, OR),
    ("?ERROR ?WARN", "INFO message", False, OR),
    ('?"ERROR" "MainThread" ?"WARN" "Deadlock"', "MainThread hit a Deadlock", True, GROUPS),
    ('?"ERROR" "MainThread" ?"WARN" "Deadlock"', "ERROR in a worker thread", False, GROUPS),
    ("ERROR -WARN", "ERROR message", True, EXCLUDE),
    ("ERROR -WARN", "ERROR WARN message", False, EXCLUDE),
    ('"ERROR" - "Exiting"', "Exiting with ERRORCODE: -1", False, EXCLUDE),
    ('""', "anything at all", True, EVERYTHING),
    ("%AUTHORIZED%", "[ERROR 401] UNAUTHORIZED REQUEST", True, REGEX),
    ("%4[0-9]{2}%", "[ERROR 404] NOT FOUND", True, REGEX),
    ("%colou?r%", "favourite color", True, REGEX),
    ("%^INFO%", "[INFO] started", False, REGEX),
    # Python's re backtracked over this one for minutes (the server stalled): searched in linear time.
    ("%.*.*.*.*.*.*x%", "a" * 300, False, REGEX),
    ("%.*.*.*.*.*.*x%", "a" * 50 + "x", True, REGEX),
    ("%^[0-9]{1,3}[.][0-9]+ ms$%", "12.5 ms", True, REGEX),
    ('{ $.eventType = "UpdateTrail" }', CLOUDTRAIL, True, JSON_EQ),
    ('{ $.eventType = "CreateTrail" }', CLOUDTRAIL, False, JSON_EQ),
    ("{ $.eventType = UpdateTrail }", CLOUDTRAIL, True, JSON_EQ),
    ("{ $.sourceIPAddress != 123.123.* }", CLOUDTRAIL, True, JSON_WILD),
    ("{ $.sourceIPAddress != 111.111.* }", CLOUDTRAIL, False, JSON_WILD),
    ("{ $.eventType = *Trail }", CLOUDTRAIL, True, JSON_WILD),
    ("{ $.eventType = Up*Trail }", CLOUDTRAIL, False, JSON_WILD),
    ('{ $.arrayKey[0] = "value" }', CLOUDTRAIL, True, JSON_ARRAY),
    ("{ $.objectList[1].id = 2 }", CLOUDTRAIL, True, JSON_ARRAY),
    ("{ $.objectList[5].id = 2 }", CLOUDTRAIL, False, JSON_ARRAY),
    ("{ $.SomeObject IS NULL }", CLOUDTRAIL, True, JSON_POSTFIX),
    ("{ $.SomeOtherObject NOT EXISTS }", CLOUDTRAIL, True, JSON_POSTFIX),
    ("{ $.eventType NOT EXISTS }", CLOUDTRAIL, False, JSON_POSTFIX),
    ("{ $.ThisFlag IS TRUE }", CLOUDTRAIL, True, JSON_POSTFIX),
    ("{ $.ThisFlag IS FALSE }", CLOUDTRAIL, False, JSON_POSTFIX),
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS, True, JSON_BOOL),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', USERS, False, JSON_BOOL),
    ('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
     USERS, True, JSON_BOOL),
    ('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
     USERS, False, JSON_BOOL),
    ("{ $.foo = bar || $.foo = baz }", '{"foo": "baz"}', True, JSON_BOOL),
    ("{ $.users = 1 }", '{"users": [1, 2, 3]}', False, JSON_VALUE_NODE),
    ("{ $.users != 1 }", '{"users": [1, 2, 3]}', False, JSON_VALUE_NODE),
    ("{ $.latency >= 500 }", '{"latency": 500}', True, JSON_NUMBER),
    ("{ $.latency > +1000 }", '{"latency": 1000}', False, JSON_NUMBER),
    ("{ $.numbers[0] < 10e3 }", '{"numbers": [9999.5]}', True, JSON_NUMBER),
    ("{ $.processes[4].averageRuntime <= 55.5 }", '{"processes": [0, 0, 0, 0, {"averageRuntime": 55.5}]}', True, JSON_NUMBER),
    ("{ $.errorCode != 500 }", '{"errorCode": 400}', True, JSON_NUMBER),
    ("{ $.latency = * }", '{"latency": 12}', True, JSON_NUMBER),
    ('{ $.eventType = "UpdateTrail" }', "UpdateTrail, but not as JSON", False, JSON_ONLY),
    ("{ $.message = %already in use% }", '{"message": "bind: address already in use"}', True, JSON_REGEX),
    ("{ $.message != %already in use% }", '{"message": "bind: address already in use"}', False, JSON_REGEX),
    (APACHE_FIELDS, APACHE.format(status=200), True, DELIM),
    ("[ip, user]", APACHE.format(status=200), False, DELIM),
    ("[..., status_code, bytes]", APACHE.format(status=200), True, DELIM_ELLIPSIS),
    ("[ip, user, ...]", APACHE.format(status=200), True, DELIM_ELLIPSIS),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE.format(status=404), True, DELIM_COND),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", APACHE.format(status=200), False, DELIM_COND),
    ("[ip, user, username, timestamp, request, status_code, bytes > 1000]", APACHE.format(status=200), True, DELIM_COND),
    ("[ip, user, username, timestamp, request = *gif*, status_code, bytes]", APACHE.format(status=200), True, DELIM_COND),
    ("[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]",
     APACHE.format(status=404), True, DELIM_COND),
    ("[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]",
     APACHE.format(status=403), False, DELIM_COND),
    ("[w1=ERROR || w1=WARN, w2]", "WARN message", True, DELIM_COND),
    ("[w1=ERROR || w1=WARN, w2]", "ERROR WARN message", False, DELIM_COND),
    ("[w1!=ERROR&&w1!=WARN, w2]", "INFO message", True, DELIM_COND),
    ("[w1, w2 = %^mess%]", "INFO message", True, REGEX),
]


@pytest.fixture(scope="module")
def case_group(logs: Any) -> Iterator[str]:
    """One group with a stream per case, holding that case's message."""
    name = unique("/pc/patterns")
    logs.create_log_group(logGroupName=name)
    stamp = now_ms() - 60_000
    for index, (_, message, _, _) in enumerate(CASES):
        logs.create_log_stream(logGroupName=name, logStreamName=f"case-{index}")
        logs.put_log_events(logGroupName=name, logStreamName=f"case-{index}",
                            logEvents=[{"timestamp": stamp, "message": message}])
    yield name
    logs.delete_log_group(logGroupName=name)


def test_the_table_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]} <- {c[1][:30]}" for c in CASES])
def test_filter_pattern(logs: Any, case_group: str, index: int) -> None:
    pattern, message, expected, rule = CASES[index]
    events = logs.filter_log_events(logGroupName=case_group, logStreamNames=[f"case-{index}"], filterPattern=pattern)["events"]
    assert ([e["message"] for e in events] == [message]) is expected, rule
    tested = logs.test_metric_filter(filterPattern=pattern, logEventMessages=[message])["matches"]
    assert bool(tested) is expected, rule


def test_filter_pattern_over_the_whole_group_selects_exactly_the_matching_cases(logs: Any, case_group: str) -> None:
    events = logs.filter_log_events(logGroupName=case_group, filterPattern="ERROR")["events"]
    expected = {f"case-{i}" for i, (_, message, _, _) in enumerate(CASES) if "ERROR" in message}
    assert {e["logStreamName"] for e in events} == expected


def test_space_delimited_fields_are_extracted_by_name_or_position(logs: Any) -> None:
    # The example of the syntax page: unnamed fields (the ellipsis' and the trailing empty one) are $<position>.
    message = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534'
    matches = logs.test_metric_filter(filterPattern="[..., request=*.html*, status_code=4*,]",
                                      logEventMessages=[message, message.replace(" 404 ", " 200 ")])["matches"]
    assert [m["eventNumber"] for m in matches] == [1]
    assert matches[0]["eventMessage"] == message
    assert matches[0]["extractedValues"] == {
        "$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
        "$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$7": "1534",
    }


def test_term_and_json_matches_extract_nothing(logs: Any) -> None:
    matches = logs.test_metric_filter(filterPattern="ERROR", logEventMessages=["ok", "ERROR one", "ERROR two"])["matches"]
    assert [(m["eventNumber"], m["extractedValues"]) for m in matches] == [(2, {}), (3, {})]


@pytest.mark.parametrize("pattern, message", [
    ('{ $.level = "ERROR"', "If a filter pattern starts with '{' it must end with '}'"),
    ("[ip, user", "If a filter pattern starts with '[' it must end with ']'"),
    ("%something!%", "Invalid character(s) in term '%something!%'"),
    ("%(a|b)%", "Invalid character(s) in term '%(a|b)%'"),
    ('"unterminated', "Invalid filter pattern"),
    ("{ $.a = }", "Invalid filter pattern"),
    ("{ level = 1 }", "Invalid filter pattern"),
    ("{ $.a = 1 && }", "Invalid filter pattern"),
    ("[a, ..., b, ...]", "Invalid filter pattern"),
    ("[a, b > 1 && c < 2]", "Invalid filter pattern"),
    ("{ $.a = %x% || $.b = %y% || $.c = %z% }", "Invalid filter pattern: a filter pattern can contain at most 2 regular expressions"),
])
def test_refused_patterns_are_invalid_parameter(logs: Any, pattern: str, message: str) -> None:
    assert error_of(logs.test_metric_filter, filterPattern=pattern, logEventMessages=["x"]) == (
        "InvalidParameterException", message)
