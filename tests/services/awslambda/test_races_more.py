"""Lambda's state changed while invocations are under way, second sweep: a layer version deleted
while functions naming it cold-start, a function deleted (and created again) while its
asynchronous event is between retries, configuration and alias changes racing invocations, an
event source mapping disabled while its poller holds a batch. Each racer gets Lambda's documented
answer, never a 500, and the final state read back through the API holds no mix."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.services.awslambda.support import (
    LAMBDA_TRUST,
    Functions,
    fast_retries,
    log_messages,
    unique,
    zipped,
)
from tests.services.race_support import clients, code, race

RACERS = 8
__all__ = ["fast_retries"]

USES_LAYER = """
import shared

def handler(event, context):
    return shared.WHO
"""

BOTH_VARIABLES = """
import os

def handler(event, context):
    return [os.environ.get("FIRST"), os.environ.get("SECOND")]
"""


def _payload(answer: Any) -> Any:
    assert "FunctionError" not in answer, answer
    return json.loads(answer["Payload"].read())


def test_layer_deleted_while_functions_cold_start_still_gives_them_its_files(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    # DeleteLayerVersion: "To avoid breaking functions, a copy of the version remains in Lambda
    # until no functions refer to it."
    layer = lam.publish_layer_version(
        LayerName=unique("layer"), Content={"ZipFile": zipped({"python/shared.py": "WHO = 'layer'\n"})}
    )
    names = [functions.python(USES_LAYER, Layers=[layer["LayerVersionArn"]]) for _ in range(RACERS - 1)]

    def act(i: int, c: Any) -> Any:
        if i == 0:
            return c.delete_layer_version(LayerName=layer["LayerArn"], VersionNumber=layer["Version"])
        return _payload(c.invoke(FunctionName=names[i % len(names)]))

    results = race(clients(endpoint, "lambda", RACERS, read_timeout=60), act)
    assert code(results[0]) is None
    assert results[1:] == ["layer"] * (RACERS - 1)
    # The version is gone for every listing and for new functions...
    assert lam.list_layer_versions(LayerName=layer["LayerArn"])["LayerVersions"] == []
    # ...but a function naming it still starts with it: a new environment after a configuration change.
    lam.update_function_configuration(FunctionName=names[0], Description="cold again")
    lam.get_waiter("function_updated_v2").wait(FunctionName=names[0], WaiterConfig={"Delay": 1})
    assert _payload(lam.invoke(FunctionName=names[0])) == "layer"
    configured = lam.get_function_configuration(FunctionName=names[0])["Layers"]
    assert [entry["Arn"] for entry in configured] == [layer["LayerVersionArn"]]


COUNTS_OPT = """
import os

def handler(event, context):
    opt_python = os.environ["PYTHONPATH"].split(":")[-1]  # this machine's stand-in for /opt/python
    return len(os.listdir(opt_python + "/filler"))
"""


def test_cold_starts_of_functions_sharing_layers_each_get_the_whole_opt(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    # Enough files that building the merged /opt takes a while: the cold starts build it at once.
    files = {f"python/filler/f{n}.py": f"N = {n}\n" for n in range(400)}
    arns = [
        lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped(files)})[
            "LayerVersionArn"
        ]
        for _ in range(2)
    ]
    names = [functions.python(COUNTS_OPT, Layers=arns) for _ in range(RACERS)]
    results = race(
        clients(endpoint, "lambda", RACERS, read_timeout=60),
        lambda i, c: _payload(c.invoke(FunctionName=names[i])),
    )
    assert results == [400] * RACERS


def test_configuration_updates_racing_invocations_each_see_one_whole_configuration(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python(BOTH_VARIABLES, Environment={"Variables": {"FIRST": "0", "SECOND": "0"}})

    def act(i: int, c: Any) -> Any:
        if i < 2:  # two writers, each setting both variables to one value at a time
            for n in range(3):
                value = f"{i}-{n}"
                while True:
                    try:
                        c.update_function_configuration(
                            FunctionName=name, Environment={"Variables": {"FIRST": value, "SECOND": value}}
                        )
                        break
                    except c.exceptions.ResourceConflictException:
                        time.sleep(0.05)  # the other writer's update is in progress
            return None
        return [_payload(c.invoke(FunctionName=name)) for _ in range(4)]

    results = race(clients(endpoint, "lambda", RACERS, read_timeout=60), act)
    assert all(code(r) is None for r in results)
    for seen in results[2:]:
        for a, b in seen:
            assert a == b  # never the old A with the new B
    final = lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"]
    assert final["FIRST"] == final["SECOND"] and final["FIRST"] in {"0-2", "1-2"}


def test_delete_alias_racing_invocations_of_it_answers_the_version_or_not_found(
    endpoint: str, lam: Any, functions: Functions
) -> None:
    name = functions.python("def handler(event, context):\n    return 'v1'\n")
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)

    def act(i: int, c: Any) -> Any:
        if i == 0:
            time.sleep(0.2)  # a few invocations are under way first
            return c.delete_alias(FunctionName=name, Name="live")
        answers = []
        for _ in range(5):
            try:
                answers.append(_payload(c.invoke(FunctionName=f"{name}:live")))
            except c.exceptions.ResourceNotFoundException:
                answers.append("ResourceNotFoundException")
        return answers

    results = race(clients(endpoint, "lambda", RACERS, read_timeout=60), act)
    assert code(results[0]) is None
    for answers in results[1:]:
        assert set(answers) <= {"v1", "ResourceNotFoundException"}
        # Once an invocation found the alias gone, none found it again.
        if "ResourceNotFoundException" in answers:
            first_gone = answers.index("ResourceNotFoundException")
            assert set(answers[first_gone:]) == {"ResourceNotFoundException"}
    assert lam.list_aliases(FunctionName=name)["Aliases"] == []


# -- asynchronous retries: a server whose retry delay is half a second ---------------------------

SLOW_FAILURE = """
import time

def handler(event, context):
    time.sleep(1)
    raise RuntimeError("fails")
"""

SUCCESSOR = """
import json

def handler(event, context):
    print("SUCCESSOR GOT " + json.dumps(event))
    return "ok"
"""


@pytest.fixture
def fns(fast_retries: ServerProcess) -> Iterator[Functions]:
    iam: Any = fast_retries.client("iam")
    role = iam.create_role(RoleName=unique("race"), AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]
    made = Functions(fast_retries.client("lambda"), role["Arn"])
    yield made
    made.cleanup()


def test_function_deleted_during_an_async_attempt_leaves_no_retry_to_its_successor(
    fast_retries: ServerProcess, fns: Functions
) -> None:
    lam: Any = fns.lam
    logs: Any = fast_retries.client("logs")
    name = fns.python(SLOW_FAILURE, timeout=10)
    marker = uuid.uuid4().hex
    lam.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"marker": marker}))
    # The first attempt runs for a second; the function is deleted and created again meanwhile
    # (or, on a slow machine, while the retry waits in the queue: the same rule holds).
    time.sleep(0.5)
    lam.delete_function(FunctionName=name)
    lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=fns.role,
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": SUCCESSOR})},
    )
    # Past the attempt and both retries (0.5 s and 1 s later) of the deleted function's event.
    time.sleep(4)
    lam.invoke(FunctionName=name, Payload=json.dumps({"marker": "own call"}))
    messages = log_messages(logs, f"/aws/lambda/{name}", "own call", wait=5)
    got = [m for m in messages if m.startswith("SUCCESSOR GOT")]
    assert got and all(marker not in m for m in got), got
    assert [m for m in got if "own call" in m] == got


def test_retry_settings_changed_during_an_async_attempt_decide_its_retries(
    fast_retries: ServerProcess, fns: Functions
) -> None:
    lam: Any = fns.lam
    logs: Any = fast_retries.client("logs")
    name = fns.python(SLOW_FAILURE, timeout=10)
    answer = lam.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    request_id = answer["ResponseMetadata"]["RequestId"]
    time.sleep(0.5)  # the first attempt is running (it fails after a second)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    # With the default two retries, the second would start 0.5 s and the third 1 s after the first.
    time.sleep(3)
    starts = [m for m in log_messages(logs, f"/aws/lambda/{name}") if m.startswith("START")]
    assert starts == [f"START RequestId: {request_id} Version: $LATEST\n"]


# -- an event source mapping stopped while its poller holds a batch -----------------------------

SLOW_CONSUMER = """
import time

def handler(event, context):
    time.sleep(1.5)
    for record in event["Records"]:
        print("GOT " + record["body"])
"""


def _counts(sqs: Any, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


@pytest.mark.parametrize("stop", ["disable", "delete"])
def test_mapping_stopped_under_a_batch_finishes_it_and_takes_nothing_more(
    stop: str, lam: Any, logs: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    name = made.python(SLOW_CONSUMER, timeout=10)
    url = sqs.create_queue(QueueName=unique("race"), Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=1)["UUID"]
        if stop == "disable":
            mappings.append(mapping)
        sqs.send_message(QueueUrl=url, MessageBody="before")
        deadline = time.monotonic() + 10
        while _counts(sqs, url) != (0, 1):  # the poller holds the batch; the function is running
            assert time.monotonic() < deadline, "the poller never took the message"
            time.sleep(0.05)
        if stop == "disable":
            assert lam.update_event_source_mapping(UUID=mapping, Enabled=False)["State"] == "Disabling"
        else:
            assert lam.delete_event_source_mapping(UUID=mapping)["State"] == "Deleting"
        sqs.send_message(QueueUrl=url, MessageBody="after")
        # The batch under way finishes and its message is deleted; the one sent after stays queued.
        messages = log_messages(logs, f"/aws/lambda/{name}", "GOT before", wait=10)
        time.sleep(1.5)  # time enough for a poller that had not stopped to take "after"
        messages = log_messages(logs, f"/aws/lambda/{name}")
        assert [m for m in messages if m.startswith("GOT")] == ["GOT before\n"]
        assert _counts(sqs, url) == (1, 0)
    finally:
        sqs.delete_queue(QueueUrl=url)


TAGGED_CONSUMER = """
import os

def handler(event, context):
    for record in event["Records"]:
        print("GOT " + os.environ["TAG"] + " " + record["body"])
"""


def test_a_batch_received_across_a_configuration_update_runs_the_new_configuration(
    lam: Any, logs: Any, sqs: Any, made: Functions, mappings: list[str]
) -> None:
    name = made.python(TAGGED_CONSUMER, Environment={"Variables": {"TAG": "old"}})
    url = sqs.create_queue(QueueName=unique("race"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    try:
        mappings.append(lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)["UUID"])
        sqs.send_message(QueueUrl=url, MessageBody="first")
        log_messages(logs, f"/aws/lambda/{name}", "GOT old first", wait=10)
        # The poller is waiting in a long poll it began under the old configuration.
        for n in range(3):
            lam.update_function_configuration(
                FunctionName=name, Environment={"Variables": {"TAG": f"new{n}"}}
            )
            lam.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig={"Delay": 1})
            sqs.send_message(QueueUrl=url, MessageBody=f"after{n}")
            log_messages(logs, f"/aws/lambda/{name}", f"after{n}", wait=10)
        got = [m.strip() for m in log_messages(logs, f"/aws/lambda/{name}") if m.startswith("GOT")]
        assert got == ["GOT old first", "GOT new0 after0", "GOT new1 after1", "GOT new2 after2"]
    finally:
        sqs.delete_queue(QueueUrl=url)
