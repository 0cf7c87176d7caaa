"""CloudWatch Logs driven by the AWS SDK for JavaScript v3 (tests/js/logs_client.mjs): the
JSON protocol as a client that is not botocore writes and parses it, and the modeled
exceptions. The script runs once; each test checks one thing it saw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.services.js_sdk_support import js_sdk, run_js

__all__ = ["js_sdk"]

MESSAGES = ["INFO starting", "ERROR disk full on /dev/sda1", "INFO done \u00fc", "ERROR retry failed"]
NOT_FOUND = {
    "name": "ResourceNotFoundException",
    "status": 400,
    "code": None,
    "fault": "client",
    "modeled": True,
}


@pytest.fixture(scope="module")
def seen(js_sdk: Path, endpoint: str) -> dict[str, Any]:
    return run_js(js_sdk, "logs_client.mjs", endpoint)


def test_creating_an_existing_group_or_stream_is_resource_already_exists(seen: dict[str, Any]) -> None:
    error = {
        "name": "ResourceAlreadyExistsException",
        "status": 400,
        "code": None,
        "fault": "client",
        "modeled": True,
    }
    assert seen["groupExists"] == {**error, "message": "The specified log group already exists"}
    assert seen["streamExists"] == {**error, "message": "The specified log stream already exists"}


def test_put_log_events_accepts_every_event(seen: dict[str, Any]) -> None:
    assert seen["put"]["rejected"] is None


def test_get_log_events_from_the_head_in_order(seen: dict[str, Any]) -> None:
    assert seen["got"] == {
        "messages": MESSAGES,
        "timestamps": [-1000, -999, -998, -997],
        "ingestionIsNumber": True,
        "forward": "string",
        "backward": "string",
    }
    # Pages of two; the third is empty and repeats its token, which ends the paginator.
    assert seen["paged"] == [MESSAGES[:2], MESSAGES[2:], []]


def test_filter_log_events_with_a_term_and_a_phrase(seen: dict[str, Any]) -> None:
    assert seen["filtered"] == [["stream-1", MESSAGES[1]], ["stream-1", MESSAGES[3]]]
    assert seen["phrase"] == [MESSAGES[1]]


def test_describe_log_groups_and_streams(seen: dict[str, Any]) -> None:
    name = seen["logGroupName"]
    assert seen["groups"] == [
        {
            "name": name,
            "arn": f"arn:aws:logs:us-east-1:000000000000:log-group:{name}:*",
            "retention": 7,
            "created": "number",
        }
    ]
    assert seen["streams"] == [{"name": "stream-1", "first": -1000, "last": -997}]


def test_missing_group_or_stream_is_the_modeled_resource_not_found(seen: dict[str, Any]) -> None:
    assert seen["missingGroup"] == {**NOT_FOUND, "message": "The specified log group does not exist."}
    assert seen["missingStream"] == {**NOT_FOUND, "message": "The specified log stream does not exist."}
    assert seen["missingPut"] == {**NOT_FOUND, "message": "The specified log stream does not exist."}
    assert seen["deletedGroup"] == {**NOT_FOUND, "message": "The specified log group does not exist."}
