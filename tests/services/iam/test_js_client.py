"""IAM and STS driven by the AWS SDK for JavaScript v3 (tests/js/iam_sts_client.mjs): query
protocol requests and XML responses parsed by a client that is not botocore, the modeled
IAM exceptions, credentials IAM and STS hand out used by the same SDK, and IAM's default
deny seen from an SQS client. The script runs once; each test checks one thing it saw."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.services.js_sdk_support import js_sdk, run_js

__all__ = ["js_sdk"]

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def seen(js_sdk: Path, endpoint: str) -> dict[str, Any]:
    return run_js(js_sdk, "iam_sts_client.mjs", endpoint)


def test_root_caller_identity(seen: dict[str, Any]) -> None:
    assert seen["rootIdentity"] == {
        "UserId": ACCOUNT,
        "Account": ACCOUNT,
        "Arn": f"arn:aws:iam::{ACCOUNT}:root",
    }


def test_create_get_and_list_user(seen: dict[str, Any]) -> None:
    name = seen["userName"]
    arn = f"arn:aws:iam::{ACCOUNT}:user/js/{name}"
    assert seen["user"] == {
        "name": name,
        "arn": arn,
        "path": "/js/",
        "idPrefix": "AIDA",
        "createDateIsDate": True,
    }
    assert seen["got"] == {"name": name, "arn": arn, "tags": [{"Key": "team", "Value": "js"}]}
    assert seen["listed"] is True


def test_existing_names_are_the_modeled_entity_already_exists(seen: dict[str, Any]) -> None:
    error = {
        "name": "EntityAlreadyExistsException",
        "status": 409,
        "code": "EntityAlreadyExists",
        "fault": "client",
        "modeled": True,
    }
    assert seen["duplicate"] == {**error, "message": f"User with name {seen['userName']} already exists."}
    assert seen["duplicateRole"] == {**error, "message": f"Role with name {seen['roleName']} already exists."}


def test_missing_entities_are_the_modeled_no_such_entity(seen: dict[str, Any]) -> None:
    error = {
        "name": "NoSuchEntityException",
        "status": 404,
        "code": "NoSuchEntity",
        "fault": "client",
        "modeled": True,
    }
    name = seen["userName"]
    assert seen["missingUser"] == {**error, "message": f"The user with name {name}-missing cannot be found."}
    assert seen["missingPolicy"] == {
        **error,
        "message": f"Policy arn:aws:iam::{ACCOUNT}:policy/js-does-not-exist "
        "does not exist or is not attachable.",
    }
    assert seen["deletedUser"] == {**error, "message": f"The user with name {name} cannot be found."}


def test_a_new_access_key_works_and_identifies_its_user(seen: dict[str, Any]) -> None:
    assert seen["key"] == {"status": "Active", "idPrefix": "AKIA", "secretLength": 40}
    assert seen["userIdentity"] == f"arn:aws:iam::{ACCOUNT}:user/js/{seen['userName']}"


def test_a_user_without_policy_is_denied_sqs_list_queues(seen: dict[str, Any]) -> None:
    denied = seen["denied"]
    # SQS speaks JSON; the SDK reads the query-compatible code from x-amzn-query-error.
    assert (denied["name"], denied["status"], denied["code"], denied["fault"]) == (
        "AccessDenied",
        403,
        "AccessDenied",
        "client",
    )
    assert denied["message"].startswith(
        f"User: arn:aws:iam::{ACCOUNT}:user/js/{seen['userName']} is not authorized "
        "to perform: sqs:listqueues"
    )


def test_an_inline_policy_round_trips_and_then_allows(seen: dict[str, Any]) -> None:
    assert seen["inlinePolicy"] == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["sqs:ListQueues", "sts:AssumeRole"], "Resource": "*"}],
    }
    assert seen["allowedStatus"] == 200


def test_deleting_a_user_with_attachments_is_a_delete_conflict(seen: dict[str, Any]) -> None:
    conflict = seen["deleteConflict"]
    assert (conflict["name"], conflict["status"], conflict["code"], conflict["modeled"]) == (
        "DeleteConflictException",
        409,
        "DeleteConflict",
        True,
    )
    assert conflict["message"].startswith("Cannot delete entity, must ")


def test_root_may_not_assume_a_role(seen: dict[str, Any]) -> None:
    assert seen["rootAssume"] == {
        "name": "AccessDenied",
        "status": 403,
        "code": "AccessDenied",
        "fault": "client",
        "modeled": None,
        "message": "Roles may not be assumed by root accounts.",
    }


def test_assume_role_credentials_identify_as_the_assumed_role(seen: dict[str, Any]) -> None:
    session_arn = f"arn:aws:sts::{ACCOUNT}:assumed-role/{seen['roleName']}/js-session"
    assert seen["role"] == {"arn": f"arn:aws:iam::{ACCOUNT}:role/{seen['roleName']}", "idPrefix": "AROA"}
    assumed = seen["assumed"]
    assert (assumed["arn"], assumed["idSuffix"], assumed["keyPrefix"]) == (session_arn, "js-session", "ASIA")
    assert assumed["expirationIsDate"] is True
    assert 800 <= assumed["secondsLeft"] <= 900  # DurationSeconds 900
    identity = seen["sessionIdentity"]
    assert (identity["arn"], identity["account"]) == (session_arn, ACCOUNT)
    assert identity["userId"].startswith("AROA") and identity["userId"].endswith(":js-session")
    assert seen["sessionSqsStatus"] == 200  # the role's inline policy allows sqs:ListQueues


def test_user_deleted_after_cleanup(seen: dict[str, Any]) -> None:
    assert seen["keysLeft"] == 0
    assert seen["deleteUserStatus"] == 200
