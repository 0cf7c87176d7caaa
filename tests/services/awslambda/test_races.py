"""Clients acting on one function at the same time, as parallel CI jobs do: reserved concurrency
throttles exactly the invocations past it, every invocation runs the old or the new code of an
update racing it, a code update published at once publishes that code, and the conflicting calls
(AddPermission of one statement id, DeleteFunction under invocations) get Lambda's documented
errors, never a 500."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from tests.services.awslambda.support import Functions, zipped
from tests.services.race_support import clients, code, race

RACERS = 8
SLOW = """
import time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return "%s"
"""


def _source(tag: str) -> str:
    return SLOW % tag


def _package(tag: str) -> bytes:
    return zipped({"app.py": _source(tag)})


def _sha256(package: bytes) -> str:
    return base64.b64encode(hashlib.sha256(package).digest()).decode()


def _invoke(c: Any, name: str, sleep: float = 0) -> Any:
    answer = c.invoke(FunctionName=name, Payload=json.dumps({"sleep": sleep}))
    assert "FunctionError" not in answer
    return json.loads(answer["Payload"].read())


def test_reserved_concurrency_throttles_exactly_the_invocations_past_it(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("ran"), timeout=30)
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    racers = clients(endpoint, "lambda", RACERS, read_timeout=60)
    # Each invocation holds its environment for seconds: all arrive while the first two still run.
    results = race(racers, lambda i, c: _invoke(c, name, sleep=3))
    assert sorted(r for r in results if code(r) is None) == ["ran", "ran"]
    throttled = [r for r in results if code(r) is not None]
    assert len(throttled) == RACERS - 2
    for error in throttled:
        assert code(error) == "TooManyRequestsException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        assert error.response["Reason"] == "ReservedFunctionConcurrentInvocationLimitExceeded"
        assert error.response["Error"]["Message"] == "Rate Exceeded."
    # The throttles held no slot: once the two are done, the function runs again.
    assert _invoke(lam, name) == "ran"


def test_code_updates_published_at_once_publish_their_own_code(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("v0"))
    _invoke(lam, name)  # warm: an update then stops the idle environment while others arrive
    racers = clients(endpoint, "lambda", 6)
    packages = [_package(f"v{i + 1}") for i in range(len(racers))]
    results = race(
        racers,
        lambda i, c: c.update_function_code(FunctionName=name, ZipFile=packages[i], Publish=True),
    )
    # An update is in progress until the old environment has stopped: AWS refuses the calls that
    # arrive meanwhile (409, "An update is in progress for resource: ..."), and the others go through.
    refused = [r for r in results if code(r) is not None]
    assert all(code(r) == "ResourceConflictException" for r in refused)
    assert all("An update is in progress for resource: " in r.response["Error"]["Message"] for r in refused)
    done = [(r, p) for r, p in zip(results, packages, strict=True) if code(r) is None]
    assert done
    # Each call's answer is the version it published, holding the code it sent.
    assert [r["CodeSha256"] for r, _ in done] == [_sha256(p) for _, p in done]
    assert len({r["Version"] for r, _ in done}) == len(done)
    listed = lam.list_versions_by_function(FunctionName=name)["Versions"]
    published = {v["Version"]: v["CodeSha256"] for v in listed if v["Version"] != "$LATEST"}
    assert published == {r["Version"]: r["CodeSha256"] for r, _ in done}
    for r, _ in done:  # and each version runs that code
        tag = _invoke(lam, f"{name}:{r['Version']}")
        assert _sha256(_package(tag)) == r["CodeSha256"]


def test_concurrent_publish_version_of_unchanged_code_gives_one_version(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("v"))
    results = race(clients(endpoint, "lambda", RACERS), lambda i, c: c.publish_version(FunctionName=name))
    assert all(code(r) is None for r in results)
    # Lambda publishes a version only when the code or configuration changed since the last one.
    assert {r["Version"] for r in results} == {"1"}
    listed = [v["Version"] for v in lam.list_versions_by_function(FunctionName=name)["Versions"]]
    assert listed == ["$LATEST", "1"]


def test_invocations_racing_a_code_update_run_old_or_new_code(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("old"), timeout=30)
    _invoke(lam, name)  # warm: an environment of the old code is idle when the update arrives
    racers = clients(endpoint, "lambda", RACERS, read_timeout=60)
    new = _package("new")

    def act(i: int, c: Any) -> Any:
        if i == 0:
            return c.update_function_code(FunctionName=name, ZipFile=new)
        return [_invoke(c, name, sleep=0.2) for _ in range(2)]

    results = race(racers, act)
    assert all(code(r) is None for r in results)
    assert {tag for ran in results[1:] for tag in ran} <= {"old", "new"}
    lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert _invoke(lam, name) == "new"


def test_add_permission_of_one_statement_id_has_one_winner(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("v"))

    def act(i: int, c: Any) -> Any:
        return c.add_permission(
            FunctionName=name,
            StatementId="same",
            Action="lambda:InvokeFunction",
            Principal=f"{100000000000 + i}",
        )

    results = race(clients(endpoint, "lambda", RACERS), act)
    assert sum(code(r) is None for r in results) == 1
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "ResourceConflictException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        assert error.response["Error"]["Message"] == (
            "The statement id (same) provided already exists. Please provide a new statement id, "
            "or remove the existing statement."
        )
    policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["same"]


def test_delete_function_under_invocations_ends_them_cleanly(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("old"), timeout=30)
    _invoke(lam, name)
    racers = clients(endpoint, "lambda", RACERS, read_timeout=60)

    def act(i: int, c: Any) -> Any:
        if i == 0:
            return c.delete_function(FunctionName=name)
        return _invoke(c, name, sleep=0.5)

    results = race(racers, act)
    assert code(results[0]) is None
    # An invocation that began before the delete finishes; one after finds no function.
    assert {r if code(r) is None else code(r) for r in results[1:]} <= {"old", "ResourceNotFoundException"}
    # A new function of the same name runs its own code, not an environment of the deleted one.
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=functions.role,
        Handler="app.handler",
        Code={"ZipFile": _package("new")},
    )
    lam.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
    assert _invoke(lam, name) == "new"


def test_updates_naming_one_revision_id_have_one_winner(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(_source("v"))
    _invoke(lam, name)  # warm: the winner then stops an environment, awaiting while others arrive
    revision = lam.get_function_configuration(FunctionName=name)["RevisionId"]

    def act(i: int, c: Any) -> Any:
        if i % 2:
            return c.update_function_code(FunctionName=name, ZipFile=_package(f"v{i}"), RevisionId=revision)
        return c.update_function_configuration(FunctionName=name, Description=f"by {i}", RevisionId=revision)

    results = race(clients(endpoint, "lambda", RACERS), act)
    won = [r for r in results if code(r) is None]
    assert len(won) == 1
    for error in (r for r in results if code(r) is not None):
        assert code(error) == "PreconditionFailedException"
        assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    # The function is the winner's: its code or description, under a revision of its own (AWS's moves
    # again as the winner's update completes).
    current = lam.get_function_configuration(FunctionName=name)
    assert current["RevisionId"] != revision
    assert (current["CodeSha256"], current["Description"]) == (won[0]["CodeSha256"], won[0]["Description"])
