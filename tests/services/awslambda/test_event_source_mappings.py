"""SQS event source mappings read the queue as the function's execution role, and run at most
ScalingConfig.MaximumConcurrency batches at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client, wait_for
from tests.services.awslambda.support import (
    LAMBDA_TRUST,
    Functions,
    error_of,
    log_messages,
    set_queue_policy,
    unique,
)

POLLER_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]


@pytest.fixture(scope="module")
def iam(server: ServerProcess) -> Any:
    return server.client("iam")


@pytest.fixture
def queue(sqs: Any) -> Iterator[tuple[str, str]]:
    url = sqs.create_queue(QueueName=unique("esm"), Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    yield url, arn
    sqs.delete_queue(QueueUrl=url)


def _role(iam: Any, actions: list[str], resource: str) -> tuple[str, str]:
    """(role name, role ARN) of a Lambda execution role allowed `actions` on `resource`."""
    name = unique("esm-role")
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=LAMBDA_TRUST)["Role"]["Arn"]
    if actions:
        iam.put_role_policy(
            RoleName=name,
            PolicyName="queue",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": actions, "Resource": resource}],
                }
            ),
        )
    return name, arn


def _function(
    lam: Any, role_arn: str, source: str = "def handler(event, context):\n    return None\n"
) -> Functions:
    made = Functions(lam, role_arn)
    made.python(source, timeout=10)
    return made


def _counts(sqs: Any, url: str) -> tuple[int, int]:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


@pytest.mark.parametrize(
    ("allowed", "missing"),
    [
        ([], "ReceiveMessage"),
        (["sqs:ReceiveMessage"], "DeleteMessage"),
        (["sqs:ReceiveMessage", "sqs:DeleteMessage"], "GetQueueAttributes"),
    ],
)
def test_a_role_that_cannot_read_the_queue_is_refused(
    lam: Any, iam: Any, queue: tuple[str, str], allowed: list[str], missing: str
) -> None:
    _, role_arn = _role(iam, allowed, queue[1])
    made = _function(lam, role_arn)
    try:
        code, status, message, _ = error_of(
            lam.create_event_source_mapping, EventSourceArn=queue[1], FunctionName=made.created[0]
        )
    finally:
        made.cleanup()
    assert (code, status) == ("InvalidParameterValueException", 400)
    assert message == f"The provided execution role does not have permissions to call {missing} on SQS"


def test_the_queue_policy_can_grant_the_role(
    lam: Any, iam: Any, sqs: Any, queue: tuple[str, str], mappings: list[str]
) -> None:
    url, arn = queue
    _, role_arn = _role(iam, [], arn)
    set_queue_policy(sqs, url, "Allow", role_arn, POLLER_ACTIONS, arn)
    made = _function(lam, role_arn)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=made.created[0])
    mappings.append(mapping["UUID"])
    assert mapping["State"] == "Creating"
    sqs.send_message(QueueUrl=url, MessageBody="granted by the queue")
    wait_for(lambda: _counts(sqs, url) == (0, 0))
    made.cleanup()


def test_the_poller_receives_and_deletes_as_the_role(
    lam: Any, iam: Any, sqs: Any, queue: tuple[str, str], mappings: list[str]
) -> None:
    url, arn = queue
    role_name, role_arn = _role(iam, POLLER_ACTIONS, arn)
    made = _function(lam, role_arn)
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=made.created[0], Enabled=False)
    mappings.append(mapping["UUID"])
    # A kept message soon returns (shortened after the mapping is made: CreateEventSourceMapping
    # refuses a visibility timeout shorter than the function's timeout).
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "2"})

    # Without sqs:ReceiveMessage the mapping reads nothing, and says why.
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="queue",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                        "Resource": arn,
                    }
                ],
            }
        ),
    )
    sqs.send_message(QueueUrl=url, MessageBody="waits for the role")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for(
        lambda: "ReceiveMessage" in lam.get_event_source_mapping(UUID=mapping["UUID"]).get("LastProcessingResult", "")
    )
    assert _counts(sqs, url) == (1, 0)

    # With receive but an explicit deny on delete (the queue's policy), the batch runs but stays on the queue.
    iam.put_role_policy(
        RoleName=role_name,
        PolicyName="queue",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": POLLER_ACTIONS, "Resource": arn}],
            }
        ),
    )
    set_queue_policy(sqs, url, "Deny", role_arn, "sqs:DeleteMessage", arn)
    wait_for(
        lambda: "DeleteMessage" in lam.get_event_source_mapping(UUID=mapping["UUID"]).get("LastProcessingResult", "")
    )
    assert sum(_counts(sqs, url)) == 1

    # Allowed again: the message is processed and deleted.
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
    wait_for(lambda: _counts(sqs, url) == (0, 0))
    # A mapping that works reports no LastProcessingResult, as AWS reports none for a queue.
    assert "LastProcessingResult" not in lam.get_event_source_mapping(UUID=mapping["UUID"])
    made.cleanup()


@pytest.mark.parametrize("value", [1, 1001])
def test_maximum_concurrency_must_be_between_2_and_1000(
    server: ServerProcess, queue: tuple[str, str], value: int
) -> None:
    lam: Any = server.client("lambda", parameter_validation=False)  # boto3 would refuse 1 before sending it
    code, status, message, _ = error_of(
        lam.create_event_source_mapping,
        EventSourceArn=queue[1],
        FunctionName=unique("fn"),
        ScalingConfig={"MaximumConcurrency": value},
    )
    assert (code, status) == ("ValidationException", 400)
    bound = "greater than or equal to 2" if value < 2 else "less than or equal to 1000"
    assert message == (
        f"1 validation error detected: Value '{value}' at 'scalingConfig.maximumConcurrency' "
        f"failed to satisfy constraint: Member must have value {bound}"
    )


SLOW = """
import json, time
def handler(event, context):
    started = time.time()
    time.sleep(1.5)
    print("SPAN " + json.dumps([started, time.time()]))
"""


def test_maximum_concurrency_bounds_the_batches_running_at_once(
    lam: Any, logs: Any, iam: Any, sqs: Any, queue: tuple[str, str], mappings: list[str]
) -> None:
    url, arn = queue
    _, role_arn = _role(iam, POLLER_ACTIONS, arn)
    made = _function(lam, role_arn, SLOW)
    name = made.created[0]
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"slow {i}"} for i in range(6)]
    )
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=1, ScalingConfig={"MaximumConcurrency": 2}
    )
    mappings.append(mapping["UUID"])
    assert mapping["ScalingConfig"] == {"MaximumConcurrency": 2}
    wait_for(lambda: _counts(sqs, url) == (0, 0), seconds=60)

    def spans() -> list[list[float]]:
        found = [
            json.loads(m.split("SPAN ", 1)[1])
            for m in log_messages(logs, f"/aws/lambda/{name}")
            if "SPAN " in m
        ]
        return found if len(found) == 6 else []

    edges = sorted([(start, 1) for start, _ in wait_for(spans)] + [(end, -1) for _, end in spans()])
    running, most = 0, 0
    for _, step in edges:  # an end sorts before a start at the same instant
        running += step
        most = max(most, running)
    assert most == 2
    # An empty ScalingConfig removes the limit: the mapping names none (the Terraform AWS provider
    # clears it so, and its TestAccLambdaEventSourceMapping_SQS_scalingConfig reads none back from AWS).
    cleared = lam.update_event_source_mapping(UUID=mapping["UUID"], ScalingConfig={})
    assert "ScalingConfig" not in cleared
    assert "ScalingConfig" not in lam.get_event_source_mapping(UUID=mapping["UUID"])
    made.cleanup()


def test_a_queue_whose_visibility_timeout_is_shorter_than_the_functions_timeout_is_refused(
    lam: Any, iam: Any, sqs: Any, queue: tuple[str, str], mappings: list[str]
) -> None:
    # A batch still running when its messages become visible again would be received twice.
    url, arn = queue  # VisibilityTimeout 30
    _, role_arn = _role(iam, POLLER_ACTIONS, arn)
    slow = Functions(lam, role_arn)
    quick = Functions(lam, role_arn)
    try:
        slow_name = slow.python("def handler(event, context):\n    return None\n", timeout=60)
        code, status, message, _ = error_of(
            lam.create_event_source_mapping, EventSourceArn=arn, FunctionName=slow_name
        )
        assert (code, status, message) == (
            "InvalidParameterValueException",
            400,
            "Queue visibility timeout: 30 seconds is less than Function timeout: 60 seconds",
        )
        quick_name = quick.python("def handler(event, context):\n    return None\n", timeout=30)
        mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=quick_name, Enabled=False)
        mappings.append(mapping["UUID"])
        code, _, message, _ = error_of(
            lam.update_event_source_mapping, UUID=mapping["UUID"], FunctionName=slow_name
        )
        assert code == "InvalidParameterValueException" and message.startswith("Queue visibility timeout: 30")
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60"})
        lam.update_event_source_mapping(UUID=mapping["UUID"], FunctionName=slow_name)
    finally:
        slow.cleanup()
        quick.cleanup()


def test_a_mapping_is_tagged_by_its_arn(
    lam: Any, made: Functions, queue: tuple[str, str], mappings: list[str]
) -> None:
    """TagResource, UntagResource and ListTags take an EventSourceMappingArn, and CreateEventSourceMapping
    takes Tags ("Using tags on Lambda event source mappings", Lambda developer guide; the TaggableResource
    pattern of the Lambda API names event-source-mapping:<UUID>)."""
    _, arn = queue
    name = made.python("def handler(event, context):\n    return None\n")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Tags={"team": "core"})
    mappings.append(mapping["UUID"])
    mapping_arn = mapping["EventSourceMappingArn"]
    assert lam.list_tags(Resource=mapping_arn)["Tags"] == {"team": "core"}
    lam.tag_resource(Resource=mapping_arn, Tags={"foo": "bar", "baz": "qux"})
    assert lam.list_tags(Resource=mapping_arn)["Tags"] == {"team": "core", "foo": "bar", "baz": "qux"}
    lam.untag_resource(Resource=mapping_arn, TagKeys=["foo", "team"])
    assert lam.list_tags(Resource=mapping_arn)["Tags"] == {"baz": "qux"}
    # The function's own tags are apart from its mapping's.
    assert (
        lam.list_tags(Resource=lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"])["Tags"]
        == {}
    )


def test_a_mapping_is_seen_only_in_its_own_region(
    endpoint: str, lam: Any, made: Functions, queue: tuple[str, str], mappings: list[str]
) -> None:
    """Event source mappings are Regional resources of an account (their ARN names both): from another
    Region, GetEventSourceMapping, UpdateEventSourceMapping, DeleteEventSourceMapping and ListTags find
    no mapping of that UUID, and ListEventSourceMappings does not list it."""
    _, arn = queue
    name = made.python("def handler(event, context):\n    return None\n")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, Enabled=False)
    mappings.append(mapping["UUID"])
    elsewhere = make_client(endpoint, "lambda", region="eu-west-1")
    for call, kwargs in (
        (elsewhere.get_event_source_mapping, {"UUID": mapping["UUID"]}),
        (elsewhere.update_event_source_mapping, {"UUID": mapping["UUID"], "BatchSize": 5}),
        (elsewhere.delete_event_source_mapping, {"UUID": mapping["UUID"]}),
        (elsewhere.list_tags, {"Resource": mapping["EventSourceMappingArn"]}),
    ):
        assert error_of(call, **kwargs)[:2] == ("ResourceNotFoundException", 404)
    assert mapping["UUID"] not in [
        m["UUID"] for m in elsewhere.list_event_source_mappings()["EventSourceMappings"]
    ]
    # Still there, unchanged, in its own Region.
    assert lam.get_event_source_mapping(UUID=mapping["UUID"])["BatchSize"] == mapping["BatchSize"]
