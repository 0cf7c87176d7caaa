"""SQS through a real SDK of the query era: boto3/botocore from before SQS's SDKs moved to the
json protocol (botocore 1.31.80 is the last release whose SQS model says `"protocol": "query"`;
1.31.81 says json). Old boto3s, the Java SDK v1 and CI images pinned to them still send
`Action=...` form posts and parse SQS's XML, so the old botocore's own serializer and parser
check pocketcloud's query wire format here, not our hand-written `query` client.

The pinned SDK lives in its own virtualenv under build/ (ignored by git), made on first use by
the session fixture `query_sdk`; a failed install fails the tests. Each test sends one script
to that interpreter (a child process) and reads back the JSON it printed: parsed results, and
each error as [code, HTTP status, message, type] from `e.response`. botocore checks no MD5, so
the tests compute every MD5 themselves with the Developer Guide's algorithm (support.py).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT
from tests.services.sqs.support import md5_of_attributes, md5_of_body

# The last boto3/botocore pair whose SQS model is the query protocol.
QUERY_SDK_PINS = ("boto3==1.28.80", "botocore==1.31.80")
SDK_DIR = Path(__file__).resolve().parents[3] / "build" / "sqs-query-sdk"
TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793"
NO_QUEUE = [
    "AWS.SimpleQueueService.NonExistentQueue",
    400,
    "The specified queue does not exist for this wsdl version.",
]

# What every script starts with: a client of the old SDK for the server, `err(call, **kw)` that
# answers None or [code, status, message, type], `name()` for unique queue names, and `out`, the
# dict printed as JSON at the end (bytes as {"b64": ...}).
PRELUDE = """
import base64, json, os, uuid
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

def client(**config):
    return boto3.client(
        "sqs", endpoint_url=os.environ["POCKETCLOUD_ENDPOINT"], region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
        config=Config(retries={"total_max_attempts": 1}, **config))

sqs = client()
loose = client(parameter_validation=False)  # sends what the model would refuse client-side
out = {}

def name(prefix="qsdk"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"

def err(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        error = e.response["Error"]
        return [error.get("Code"), e.response["ResponseMetadata"]["HTTPStatusCode"],
                error.get("Message"), error.get("Type")]
    return None

def arn_of(url):
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

def plain(value):
    if isinstance(value, bytes):
        return {"b64": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
"""
EPILOGUE = "\nprint(json.dumps(plain(out)))\n"


def _installed(python: Path) -> bool:
    if not python.exists():
        return False
    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import boto3, botocore; print(f'boto3=={boto3.__version__} botocore=={botocore.__version__}')",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return probe.returncode == 0 and probe.stdout.split() == list(QUERY_SDK_PINS)


@pytest.fixture(scope="session")
def query_sdk() -> Path:
    """The interpreter of a virtualenv holding QUERY_SDK_PINS, made on first use."""
    python = SDK_DIR / "bin" / "python"
    if not _installed(python):
        shutil.rmtree(SDK_DIR, ignore_errors=True)
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(SDK_DIR)], capture_output=True, text=True, timeout=300
        )
        assert made.returncode == 0, f"python -m venv failed:\n{made.stdout}\n{made.stderr}"
        install = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *QUERY_SDK_PINS],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert install.returncode == 0, (
            f"pip install {QUERY_SDK_PINS} failed:\n{install.stdout}\n{install.stderr}"
        )
        assert _installed(python), f"{SDK_DIR} does not hold {QUERY_SDK_PINS}"
    return python


def run_sdk(python: Path, endpoint: str, script: str) -> dict[str, Any]:
    """What `script` (after PRELUDE) put in `out`; fails the test if the child failed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(
        POCKETCLOUD_ENDPOINT=endpoint, AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null"
    )
    run = subprocess.run(
        [str(python), "-"],
        input=PRELUDE + textwrap.dedent(script) + EPILOGUE,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 0, f"the query-era SDK script failed:\n{run.stdout}\n{run.stderr}"
    seen: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return seen


@pytest.fixture
def sdk(query_sdk: Path, endpoint: str) -> Any:
    return lambda script: run_sdk(query_sdk, endpoint, script)


def _bytes(value: Any) -> Any:
    """The child's JSON back to Python values: {"b64": ...} → bytes."""
    if isinstance(value, dict):
        if set(value) == {"b64"}:
            return base64.b64decode(value["b64"])
        return {k: _bytes(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_bytes(v) for v in value]
    return value


# -- the SDK and the wire -------------------------------------------------------------------------


def test_the_pinned_sdk_sends_query_form_posts_and_reads_xml(sdk: Any) -> None:
    seen = sdk(
        """
        wire = []
        sqs.meta.events.register("before-send.sqs.*", lambda request, **kw: wire.append(request.body))
        sqs.meta.events.register(
            "after-call.sqs.*", lambda http_response, **kw: wire.append(http_response.headers["Content-Type"]))
        out["versions"] = [boto3.__version__, botocore.__version__, sqs.meta.service_model.protocol]
        out["listed"] = "QueueUrls" in sqs.list_queues(QueueNamePrefix=name("none"))
        out["wire"] = [w.decode() if isinstance(w, bytes) else w for w in wire]
        """
    )
    assert seen["versions"] == ["1.28.80", "1.31.80", "query"]
    body, content_type = seen["wire"]
    assert body.startswith("Action=ListQueues&Version=2012-11-05")
    assert content_type == "text/xml"
    assert seen["listed"] is False  # an empty <ListQueuesResult/> parses to no QueueUrls


# -- queues ---------------------------------------------------------------------------------------


def test_create_queue_with_attributes_and_tags_and_get_its_url(sdk: Any, endpoint: str) -> None:
    seen = sdk(
        """
        n = name()
        out["name"] = n
        url = sqs.create_queue(QueueName=n, Attributes={"VisibilityTimeout": "7", "DelaySeconds": "2"},
                               tags={"team": "a", "env": "test"})["QueueUrl"]
        out["url"] = url
        out["attributes"] = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["VisibilityTimeout", "DelaySeconds"])["Attributes"]
        out["tags"] = sqs.list_queue_tags(QueueUrl=url)
        out["by_name"] = sqs.get_queue_url(QueueName=n)["QueueUrl"]
        out["by_own_account"] = sqs.get_queue_url(QueueName=n, QueueOwnerAWSAccountId="000000000000")["QueueUrl"]
        out["again_same"] = sqs.create_queue(QueueName=n, Attributes={"VisibilityTimeout": "7", "DelaySeconds": "2"})
        """
    )
    assert seen["url"] == f"{endpoint}/{ROOT_ACCOUNT}/{seen['name']}"
    assert seen["attributes"] == {"VisibilityTimeout": "7", "DelaySeconds": "2"}
    assert seen["tags"] == {"Tags": {"team": "a", "env": "test"}}
    assert seen["by_name"] == seen["by_own_account"] == seen["url"]
    assert seen["again_same"] == {"QueueUrl": seen["url"]}  # CreateQueue is idempotent for equal attributes


def test_create_fifo_queue_and_the_name_and_attribute_rules(sdk: Any) -> None:
    seen = sdk(
        """
        n = name() + ".fifo"
        out["name"] = n
        url = sqs.create_queue(QueueName=n, Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        out["url"] = url
        out["all"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        out["fifo_name_only"] = err(sqs.create_queue, QueueName=name() + ".fifo")
        out["fifo_attribute_only"] = err(sqs.create_queue, QueueName=name(), Attributes={"FifoQueue": "true"})
        out["bad_name"] = err(sqs.create_queue, QueueName="no spaces!")
        out["change_type"] = err(sqs.set_queue_attributes, QueueUrl=url, Attributes={"FifoQueue": "false"})
        """
    )
    assert seen["url"].endswith("/" + seen["name"])
    attributes = seen["all"]
    assert (attributes["FifoQueue"], attributes["ContentBasedDeduplication"]) == ("true", "true")
    assert (attributes["DeduplicationScope"], attributes["FifoThroughputLimit"]) == ("queue", "perQueue")
    assert attributes["QueueArn"] == f"arn:aws:sqs:us-east-1:{ROOT_ACCOUNT}:{seen['name']}"
    name_rule = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    assert seen["fifo_name_only"] == ["InvalidParameterValue", 400, name_rule, "Sender"]
    assert seen["bad_name"] == ["InvalidParameterValue", 400, name_rule, "Sender"]
    assert seen["fifo_attribute_only"][:2] == ["InvalidParameterValue", 400]
    assert "must end with .fifo suffix" in seen["fifo_attribute_only"][2]
    assert seen["change_type"][:2] == ["InvalidAttributeValue", 400]


def test_create_queue_with_other_attributes_is_queue_already_exists(sdk: Any) -> None:
    seen = sdk(
        """
        n = name()
        sqs.create_queue(QueueName=n, Attributes={"VisibilityTimeout": "7"})
        out["differs"] = err(sqs.create_queue, QueueName=n, Attributes={"VisibilityTimeout": "8"})
        """
    )
    assert seen["differs"] == [
        "QueueAlreadyExists",
        400,
        "A queue already exists with the same name and a different value for attribute VisibilityTimeout",
        "Sender",
    ]


def test_a_deleted_queue_is_gone_and_its_name_waits_60_seconds(sdk: Any) -> None:
    seen = sdk(
        """
        n = name()
        url = sqs.create_queue(QueueName=n)["QueueUrl"]
        out["deleted"] = sqs.delete_queue(QueueUrl=url)
        out["delete_again"] = err(sqs.delete_queue, QueueUrl=url)
        out["get_url"] = err(sqs.get_queue_url, QueueName=n)
        out["attributes"] = err(sqs.get_queue_attributes, QueueUrl=url)
        out["recreate"] = err(sqs.create_queue, QueueName=n)
        """
    )
    assert seen["deleted"] == {}
    for call in ("delete_again", "get_url", "attributes"):
        assert seen[call] == [*NO_QUEUE, "Sender"], call
    assert seen["recreate"] == [
        "AWS.SimpleQueueService.QueueDeletedRecently",
        400,
        "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
        "Sender",
    ]


def test_get_queue_url_of_no_queue_and_of_another_accounts_queue(sdk: Any) -> None:
    seen = sdk(
        """
        n = name()
        sqs.create_queue(QueueName=n)
        out["unknown"] = err(sqs.get_queue_url, QueueName=name())
        out["other_account"] = err(sqs.get_queue_url, QueueName=n, QueueOwnerAWSAccountId="123456789012")
        out["missing_name"] = err(loose.get_queue_url)
        """
    )
    assert seen["unknown"] == [*NO_QUEUE, "Sender"]
    # The name is looked up in the owner's account, where this caller has no access: refused, with
    # no URL of this account's queue of the same name. (Which refusal AWS gives is open: the
    # Developer Guide's troubleshooting page says a caller without access may get NonExistentQueue.)
    assert seen["other_account"] is not None and seen["other_account"][1] in (400, 403)
    assert seen["missing_name"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter QueueName.",
        "Sender",
    ]


def test_list_queues_by_prefix_in_pages(sdk: Any, endpoint: str) -> None:
    seen = sdk(
        """
        prefix = name("page")
        out["prefix"] = prefix
        for i in range(3):
            sqs.create_queue(QueueName=f"{prefix}-{i}")
        first = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2)
        out["first"] = first
        out["second"] = sqs.list_queues(QueueNamePrefix=prefix, MaxResults=2, NextToken=first["NextToken"])
        out["all"] = sqs.list_queues(QueueNamePrefix=prefix)
        out["none"] = sqs.list_queues(QueueNamePrefix=name("nothing"))
        out["too_many"] = err(sqs.list_queues, MaxResults=1001)
        out["bad_token"] = err(sqs.list_queues, NextToken="not-a-token")
        """
    )
    urls = [f"{endpoint}/{ROOT_ACCOUNT}/{seen['prefix']}-{i}" for i in range(3)]
    assert seen["first"]["QueueUrls"] == urls[:2] and seen["first"]["NextToken"]
    assert seen["second"] == {"QueueUrls": urls[2:]}
    assert seen["all"] == {"QueueUrls": urls}
    assert seen["none"] == {}
    assert seen["too_many"] == [
        "InvalidParameterValue",
        400,
        "Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.",
        "Sender",
    ]
    assert seen["bad_token"] == ["InvalidParameterValue", 400, "Invalid NextToken value.", "Sender"]


def test_get_and_set_queue_attributes(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        out["set"] = sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "45", "MaximumMessageSize": "2048"})
        out["all"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        out["one"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        out["none_asked"] = sqs.get_queue_attributes(QueueUrl=url)
        out["unknown_name"] = err(sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["All", "Bogus"])
        out["set_unknown"] = err(sqs.set_queue_attributes, QueueUrl=url, Attributes={"Bogus": "1"})
        out["bad_value"] = err(sqs.set_queue_attributes, QueueUrl=url, Attributes={"VisibilityTimeout": "-1"})
        out["no_queue"] = err(sqs.set_queue_attributes, QueueUrl=url + "-gone", Attributes={"DelaySeconds": "1"})
        """
    )
    assert seen["set"] == {}
    assert (seen["all"]["VisibilityTimeout"], seen["all"]["MaximumMessageSize"]) == ("45", "2048")
    assert {"QueueArn", "ApproximateNumberOfMessages", "CreatedTimestamp", "MessageRetentionPeriod"} <= set(
        seen["all"]
    )
    assert seen["one"] == {"Attributes": {"VisibilityTimeout": "45"}}
    assert seen["none_asked"] == {}  # an empty <GetQueueAttributesResult/>
    assert seen["unknown_name"] == ["InvalidAttributeName", 400, "Unknown Attribute Bogus.", "Sender"]
    assert seen["set_unknown"] == ["InvalidAttributeName", 400, "Unknown Attribute Bogus.", "Sender"]
    assert seen["bad_value"] == [
        "InvalidAttributeValue",
        400,
        "Invalid value for the parameter VisibilityTimeout.",
        "Sender",
    ]
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]


def test_redrive_policies_and_dead_letter_source_queues(sdk: Any) -> None:
    seen = sdk(
        """
        dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
        source = sqs.create_queue(QueueName=name("src"))["QueueUrl"]
        out["source"] = source
        out["dlq_arn"] = dlq_arn = arn_of(dlq)
        redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3})
        sqs.set_queue_attributes(QueueUrl=source, Attributes={"RedrivePolicy": redrive})
        sqs.set_queue_attributes(QueueUrl=dlq, Attributes={"RedriveAllowPolicy": json.dumps({"redrivePermission": "allowAll"})})
        out["redrive"] = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"]
        out["allow"] = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
        out["sources"] = sqs.list_dead_letter_source_queues(QueueUrl=dlq)
        out["sources_of_source"] = sqs.list_dead_letter_source_queues(QueueUrl=source)
        out["no_queue"] = err(sqs.list_dead_letter_source_queues, QueueUrl=dlq + "-gone")
        out["bad_redrive"] = err(sqs.set_queue_attributes, QueueUrl=source, Attributes={"RedrivePolicy": "{"})
        """
    )
    assert json.loads(seen["redrive"]["RedrivePolicy"]) == {
        "deadLetterTargetArn": seen["dlq_arn"],
        "maxReceiveCount": 3,
    }
    assert json.loads(seen["allow"]["RedriveAllowPolicy"]) == {"redrivePermission": "allowAll"}
    assert seen["sources"] == {"queueUrls": [seen["source"]]}  # <QueueUrl> elements under the result
    assert seen["sources_of_source"] == {}  # an empty <ListDeadLetterSourceQueuesResult/>
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]
    assert seen["bad_redrive"][:2] == ["InvalidAttributeValue", 400]


def test_queue_policy_and_add_and_remove_permission(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        out["arn"] = arn_of(url)
        policy = {"Version": "2012-10-17", "Statement": [
            {"Sid": "s", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": out["arn"]}]}
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
        out["policy"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": ""})
        out["added"] = sqs.add_permission(QueueUrl=url, Label="l1", AWSAccountIds=["111111111111"],
                                          Actions=["SendMessage", "ReceiveMessage"])
        out["granted"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        out["same_label"] = err(sqs.add_permission, QueueUrl=url, Label="l1", AWSAccountIds=["111111111111"],
                                Actions=["SendMessage"])
        out["eight_actions"] = err(sqs.add_permission, QueueUrl=url, Label="l2", AWSAccountIds=["111111111111"],
                                   Actions=["SendMessage"] * 8)
        out["bad_action"] = err(sqs.add_permission, QueueUrl=url, Label="l3", AWSAccountIds=["111111111111"],
                                Actions=["Bogus"])
        out["removed"] = sqs.remove_permission(QueueUrl=url, Label="l1")
        out["after_remove"] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {})
        out["remove_again"] = err(sqs.remove_permission, QueueUrl=url, Label="l1")
        out["no_queue"] = err(sqs.remove_permission, QueueUrl=url + "-gone", Label="l1")
        """
    )
    assert json.loads(seen["policy"])["Statement"][0]["Action"] == "sqs:SendMessage"
    assert seen["added"] == {}
    granted = json.loads(seen["granted"])
    assert granted["Statement"] == [
        {
            "Sid": "l1",
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": ["SQS:SendMessage", "SQS:ReceiveMessage"],
            "Resource": seen["arn"],
        }
    ]
    assert seen["same_label"] == [
        "InvalidParameterValue",
        400,
        "Value l1 for parameter Label is invalid. Reason: Already exists.",
        "Sender",
    ]
    assert seen["eight_actions"][:2] == ["OverLimit", 403]
    assert seen["bad_action"][:2] == ["InvalidParameterValue", 400]
    assert seen["removed"] == {}
    assert "l1" not in seen["after_remove"].get("Policy", "")
    assert seen["remove_again"] == [
        "InvalidParameterValue",
        400,
        "Value l1 for parameter Label is invalid. Reason: can't find label.",
        "Sender",
    ]
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]


def test_tag_untag_and_list_queue_tags(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        out["untagged"] = sqs.list_queue_tags(QueueUrl=url)
        out["tag"] = sqs.tag_queue(QueueUrl=url, Tags={"a": "1", "b": "2"})
        out["untag"] = sqs.untag_queue(QueueUrl=url, TagKeys=["a"])
        out["tags"] = sqs.list_queue_tags(QueueUrl=url)
        out["too_many"] = err(sqs.tag_queue, QueueUrl=url, Tags={f"k{i}": "v" for i in range(51)})
        out["no_queue"] = [err(sqs.tag_queue, QueueUrl=url + "-gone", Tags={"a": "b"}),
                           err(sqs.untag_queue, QueueUrl=url + "-gone", TagKeys=["a"]),
                           err(sqs.list_queue_tags, QueueUrl=url + "-gone")]
        out["missing_tags"] = err(loose.tag_queue, QueueUrl=url)
        """
    )
    assert seen["untagged"] == {}
    assert seen["tag"] == seen["untag"] == {}
    assert seen["tags"] == {"Tags": {"b": "2"}}
    assert seen["too_many"][:2] == ["InvalidParameterValue", 400]
    assert seen["no_queue"] == [[*NO_QUEUE, "Sender"]] * 3
    assert seen["missing_tags"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter Tags.",
        "Sender",
    ]


# -- messages -------------------------------------------------------------------------------------

ATTRIBUTES = {
    "text": {"DataType": "String", "StringValue": "h\u00e9llo \U0001f680"},
    "number": {"DataType": "Number", "StringValue": "-1.5e3"},
    "raw": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xfe\xff"},
    "custom": {"DataType": "String.x", "StringValue": "custom"},
    "count": {"DataType": "Number.int", "StringValue": "7"},
    "zipped": {"DataType": "Binary.gz", "BinaryValue": b"gz"},
}
BODY = "line one\r\nline two & <three> \U0001f680"


def test_send_receive_and_delete_with_every_attribute_type(sdk: Any) -> None:
    seen = _bytes(
        sdk(
            f"""
            url = sqs.create_queue(QueueName=name())["QueueUrl"]
            attributes = {ATTRIBUTES!r}
            out["sent"] = sqs.send_message(
                QueueUrl=url, MessageBody={BODY!r}, MessageAttributes=attributes,
                MessageSystemAttributes={{"AWSTraceHeader": {{"DataType": "String", "StringValue": {TRACE!r}}}}})
            received = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MessageAttributeNames=["All"],
                                           MaxNumberOfMessages=10, VisibilityTimeout=30)
            out["received"] = received
            handle = received["Messages"][0]["ReceiptHandle"]
            out["deleted"] = sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            out["deleted_again"] = err(sqs.delete_message, QueueUrl=url, ReceiptHandle=handle)
            out["after"] = sqs.receive_message(QueueUrl=url)
            out["counts"] = sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
            """
        )
    )
    sent = seen["sent"]
    assert sent["MD5OfMessageBody"] == md5_of_body(BODY)
    assert sent["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    assert sent["MD5OfMessageSystemAttributes"] == md5_of_attributes(
        {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
    )
    [message] = seen["received"]["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == BODY  # \r, & and < survive the XML
    assert message["MD5OfBody"] == md5_of_body(BODY)
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == md5_of_attributes(ATTRIBUTES)
    attributes = message["Attributes"]
    assert attributes["AWSTraceHeader"] == TRACE
    assert (attributes["SenderId"], attributes["ApproximateReceiveCount"]) == (ROOT_ACCOUNT, "1")
    assert attributes["SentTimestamp"].isdigit() and attributes["ApproximateFirstReceiveTimestamp"].isdigit()
    assert seen["deleted"] == {}
    assert seen["deleted_again"] is None  # a spent handle of a deleted message still deletes nothing, quietly
    assert seen["after"] == {}  # an empty <ReceiveMessageResult/>: no Messages key
    assert seen["counts"]["Attributes"] == {
        "ApproximateNumberOfMessages": "0",
        "ApproximateNumberOfMessagesNotVisible": "0",
    }


def test_receive_selects_attributes_by_name_and_prefix_and_digests_only_those(sdk: Any) -> None:
    seen = _bytes(
        sdk(
            f"""
            url = sqs.create_queue(QueueName=name())["QueueUrl"]
            attributes = dict({ATTRIBUTES!r})
            attributes.update({{"pre.a": {{"DataType": "String", "StringValue": "1"}},
                               "pre.b": {{"DataType": "Number", "StringValue": "2"}}}})
            sqs.send_message(QueueUrl=url, MessageBody="x", MessageAttributes=attributes)
            by_name = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["text", "raw"],
                                          AttributeNames=["SenderId"], VisibilityTimeout=0)
            by_prefix = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["pre.*"], VisibilityTimeout=0)
            none = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
            out["messages"] = [r["Messages"][0] for r in (by_name, by_prefix, none)]
            """
        )
    )
    by_name, by_prefix, none = seen["messages"]
    chosen = {k: ATTRIBUTES[k] for k in ("text", "raw")}
    assert by_name["MessageAttributes"] == chosen
    assert by_name["MD5OfMessageAttributes"] == md5_of_attributes(chosen)
    assert by_name["Attributes"] == {"SenderId": ROOT_ACCOUNT}
    prefixed = {
        "pre.a": {"DataType": "String", "StringValue": "1"},
        "pre.b": {"DataType": "Number", "StringValue": "2"},
    }
    assert by_prefix["MessageAttributes"] == prefixed
    assert by_prefix["MD5OfMessageAttributes"] == md5_of_attributes(prefixed)
    assert (
        "MessageAttributes" not in none and "MD5OfMessageAttributes" not in none and "Attributes" not in none
    )


def test_send_message_errors(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        out["bad_characters"] = err(sqs.send_message, QueueUrl=url, MessageBody="a\\x01b")
        out["delay"] = err(sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
        out["type"] = err(sqs.send_message, QueueUrl=url, MessageBody="x",
                          MessageAttributes={"a": {"DataType": "Foo", "StringValue": "1"}})
        out["number"] = err(sqs.send_message, QueueUrl=url, MessageBody="x",
                            MessageAttributes={"a": {"DataType": "Number", "StringValue": "abc"}})
        out["no_value"] = err(sqs.send_message, QueueUrl=url, MessageBody="x",
                              MessageAttributes={"a": {"DataType": "String"}})
        out["eleven"] = err(sqs.send_message, QueueUrl=url, MessageBody="x",
                            MessageAttributes={f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(11)})
        out["reserved_name"] = err(sqs.send_message, QueueUrl=url, MessageBody="x",
                                   MessageAttributes={"AWS.x": {"DataType": "String", "StringValue": "v"}})
        out["no_body"] = err(loose.send_message, QueueUrl=url)
        out["no_url"] = err(loose.send_message, MessageBody="x")
        out["no_queue"] = err(sqs.send_message, QueueUrl=url + "-gone", MessageBody="x")
        out["not_an_integer"] = err(loose.send_message, QueueUrl=url, MessageBody="x", DelaySeconds="soon")
        """
    )
    assert seen["bad_characters"] == [
        "InvalidMessageContents",
        400,
        "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
        "#xE000 to #xFFFD | #x10000 to #x10FFFF",
        "Sender",
    ]
    assert seen["delay"] == [
        "InvalidParameterValue",
        400,
        "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.",
        "Sender",
    ]
    assert seen["type"] == [
        "InvalidParameterValue",
        400,
        "The type of message (user) attribute 'a' is invalid. You must use only the following supported type "
        "prefixes: Binary, Number, String.",
        "Sender",
    ]
    assert seen["number"] == [
        "InvalidParameterValue",
        400,
        "Can't cast the value of message (user) attribute 'a' to a number.",
        "Sender",
    ]
    assert seen["no_value"][:2] == ["InvalidParameterValue", 400]
    assert seen["eleven"] == [
        "InvalidParameterValue",
        400,
        "Number of message attributes [11] exceeds the allowed maximum [10].",
        "Sender",
    ]
    assert seen["reserved_name"][:2] == ["InvalidParameterValue", 400]
    assert seen["no_body"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter MessageBody.",
        "Sender",
    ]
    assert seen["no_url"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter QueueUrl.",
        "Sender",
    ]
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]
    assert seen["not_an_integer"][1] == 400


def test_fifo_send_and_receive_over_query(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name() + ".fifo", Attributes={"FifoQueue": "true"})["QueueUrl"]
        out["sent"] = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
        out["duplicate"] = sqs.send_message(QueueUrl=url, MessageBody="x", MessageGroupId="g", MessageDeduplicationId="d")
        out["received"] = sqs.receive_message(QueueUrl=url, AttributeNames=["All"], MaxNumberOfMessages=10,
                                              ReceiveRequestAttemptId="attempt-1")
        out["no_group"] = err(sqs.send_message, QueueUrl=url, MessageBody="x")
        out["no_dedup"] = err(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g")
        out["delay"] = err(sqs.send_message, QueueUrl=url, MessageBody="x", MessageGroupId="g",
                           MessageDeduplicationId="e", DelaySeconds=5)
        """
    )
    sent = seen["sent"]
    assert sent["SequenceNumber"].isdigit() and sent["MD5OfMessageBody"] == md5_of_body("x")
    assert seen["duplicate"]["MessageId"] == sent["MessageId"]  # deduplicated within the window
    [message] = seen["received"]["Messages"]
    assert message["Attributes"]["MessageGroupId"] == "g"
    assert message["Attributes"]["MessageDeduplicationId"] == "d"
    assert message["Attributes"]["SequenceNumber"] == sent["SequenceNumber"]
    assert seen["no_group"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter MessageGroupId.",
        "Sender",
    ]
    assert seen["no_dedup"] == [
        "InvalidParameterValue",
        400,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
        "Sender",
    ]
    assert seen["delay"][:2] == ["InvalidParameterValue", 400]


def test_receive_message_parameter_errors(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        out["max"] = err(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
        out["wait"] = err(sqs.receive_message, QueueUrl=url, WaitTimeSeconds=21)
        out["no_queue"] = err(sqs.receive_message, QueueUrl=url + "-gone")
        """
    )
    assert seen["max"] == [
        "InvalidParameterValue",
        400,
        "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        "Sender",
    ]
    assert seen["wait"] == [
        "InvalidParameterValue",
        400,
        "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        "Sender",
    ]
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]


def test_change_message_visibility_and_receipt_handle_errors(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="x")
        handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
        out["changed"] = sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
        out["visible_again"] = len(sqs.receive_message(QueueUrl=url, VisibilityTimeout=30).get("Messages", []))
        out["range"] = err(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=43201)
        out["garbage"] = err(sqs.change_message_visibility, QueueUrl=url, ReceiptHandle="garbage", VisibilityTimeout=0)
        out["delete_garbage"] = err(sqs.delete_message, QueueUrl=url, ReceiptHandle="garbage")
        out["no_timeout"] = err(loose.change_message_visibility, QueueUrl=url, ReceiptHandle=handle)
        out["no_handle"] = err(loose.delete_message, QueueUrl=url)
        """
    )
    assert seen["changed"] == {}
    assert seen["visible_again"] == 1
    assert seen["range"] == [
        "InvalidParameterValue",
        400,
        "Value 43201 for parameter VisibilityTimeout is invalid. Reason: VisibilityTimeout must be an integer "
        "between 0 and 43200",
        "Sender",
    ]
    invalid = 'The input receipt handle "garbage" is not a valid receipt handle.'
    assert seen["garbage"][0] == seen["delete_garbage"][0] == "ReceiptHandleIsInvalid"
    assert seen["garbage"][2] == seen["delete_garbage"][2] == invalid
    assert seen["no_timeout"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter VisibilityTimeout.",
        "Sender",
    ]
    assert seen["no_handle"] == [
        "MissingParameter",
        400,
        "The request must contain the parameter ReceiptHandle.",
        "Sender",
    ]


def test_purge_queue_and_the_60_second_purge_in_progress(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name("purge"))["QueueUrl"]
        out["name"] = url.rsplit("/", 1)[1]
        for i in range(3):
            sqs.send_message(QueueUrl=url, MessageBody=str(i))
        out["purged"] = sqs.purge_queue(QueueUrl=url)
        out["left"] = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        out["again"] = err(sqs.purge_queue, QueueUrl=url)
        out["no_queue"] = err(sqs.purge_queue, QueueUrl=url + "-gone")
        """
    )
    assert seen["purged"] == {}
    assert seen["left"] == {}
    assert seen["again"] == [
        "AWS.SimpleQueueService.PurgeQueueInProgress",
        403,
        f"Only one PurgeQueue operation on {seen['name']} is allowed every 60 seconds.",
        "Sender",
    ]
    assert seen["no_queue"] == [*NO_QUEUE, "Sender"]


# -- batches --------------------------------------------------------------------------------------


def test_batches_with_mixed_success_and_failure(sdk: Any) -> None:
    seen = _bytes(
        sdk(
            f"""
            url = sqs.create_queue(QueueName=name())["QueueUrl"]
            trace = {{"AWSTraceHeader": {{"DataType": "String", "StringValue": {TRACE!r}}}}}
            out["sent"] = sqs.send_message_batch(QueueUrl=url, Entries=[
                {{"Id": "ok1", "MessageBody": "one", "MessageAttributes": {{"n": {{"DataType": "Number", "StringValue": "1"}}}}}},
                {{"Id": "late", "MessageBody": "x", "DelaySeconds": 901}},
                {{"Id": "bad_chars", "MessageBody": "a\\x01"}},
                {{"Id": "ok2", "MessageBody": "two", "MessageSystemAttributes": trace}},
            ])
            out["no_body"] = loose.send_message_batch(QueueUrl=url, Entries=[{{"Id": "nobody"}}])
            handles = [m["ReceiptHandle"] for m in sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]]
            out["received"] = len(handles)
            out["changed"] = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
                {{"Id": "a", "ReceiptHandle": handles[0], "VisibilityTimeout": 60}},
                {{"Id": "b", "ReceiptHandle": "garbage", "VisibilityTimeout": 60}},
                {{"Id": "c", "ReceiptHandle": handles[1], "VisibilityTimeout": 50000}},
            ])
            out["deleted"] = sqs.delete_message_batch(QueueUrl=url, Entries=[
                {{"Id": "a", "ReceiptHandle": handles[0]}}, {{"Id": "b", "ReceiptHandle": "garbage"}}])
            """
        )
    )
    sent = seen["sent"]
    assert sorted(sent["Successful"], key=lambda e: e["Id"]) == [
        {
            "Id": "ok1",
            "MessageId": sent["Successful"][0]["MessageId"],
            "MD5OfMessageBody": md5_of_body("one"),
            "MD5OfMessageAttributes": md5_of_attributes({"n": {"DataType": "Number", "StringValue": "1"}}),
        },
        {
            "Id": "ok2",
            "MessageId": sent["Successful"][1]["MessageId"],
            "MD5OfMessageBody": md5_of_body("two"),
            "MD5OfMessageSystemAttributes": md5_of_attributes(
                {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
            ),
        },
    ]
    failed = {e["Id"]: e for e in sent["Failed"]}
    assert set(failed) == {"late", "bad_chars"}
    assert failed["late"]["Code"] == "InvalidParameterValue" and failed["late"]["SenderFault"] is True
    assert (
        failed["bad_chars"]["Code"] == "InvalidMessageContents" and failed["bad_chars"]["SenderFault"] is True
    )
    assert seen["no_body"] == {
        "Failed": [
            {
                "Id": "nobody",
                "SenderFault": True,
                "Code": "MissingParameter",
                "Message": "The request must contain the parameter MessageBody.",
            }
        ]
    }
    assert seen["received"] == 2
    changed = seen["changed"]
    assert changed["Successful"] == [{"Id": "a"}]
    assert {e["Id"]: e["Code"] for e in changed["Failed"]} == {
        "b": "ReceiptHandleIsInvalid",
        "c": "InvalidParameterValue",
    }
    assert all(e["SenderFault"] is True for e in changed["Failed"])
    deleted = seen["deleted"]
    assert deleted["Successful"] == [{"Id": "a"}]
    assert deleted["Failed"] == [
        {
            "Id": "b",
            "SenderFault": True,
            "Code": "ReceiptHandleIsInvalid",
            "Message": 'The input receipt handle "garbage" is not a valid receipt handle.',
        }
    ]


def test_batch_request_errors_of_all_three_batch_calls(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name())["QueueUrl"]
        calls = {
            "SendMessageBatchRequestEntry": (sqs.send_message_batch, {"MessageBody": "x"}),
            "DeleteMessageBatchRequestEntry": (sqs.delete_message_batch, {"ReceiptHandle": "h"}),
            "ChangeMessageVisibilityBatchRequestEntry": (sqs.change_message_visibility_batch,
                                                         {"ReceiptHandle": "h", "VisibilityTimeout": 1}),
        }
        for entry, (call, fields) in calls.items():
            out[entry] = {
                "repeated": err(call, QueueUrl=url, Entries=[{"Id": "a", **fields}, {"Id": "a", **fields}]),
                "eleven": err(call, QueueUrl=url, Entries=[{"Id": str(i), **fields} for i in range(11)]),
                "empty": err(call, QueueUrl=url, Entries=[]),
                "bad_id": err(call, QueueUrl=url, Entries=[{"Id": "a b", **fields}]),
                "no_queue": err(call, QueueUrl=url + "-gone", Entries=[{"Id": "a", **fields}]),
            }
        out["too_long"] = err(sqs.send_message_batch, QueueUrl=url,
                              Entries=[{"Id": str(i), "MessageBody": "x" * 200000} for i in range(6)])
        """
    )
    for entry in (
        "SendMessageBatchRequestEntry",
        "DeleteMessageBatchRequestEntry",
        "ChangeMessageVisibilityBatchRequestEntry",
    ):
        errors = seen[entry]
        assert errors["repeated"] == [
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            400,
            "Id a repeated.",
            "Sender",
        ]
        assert errors["eleven"] == [
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            400,
            "Maximum number of entries per request are 10. You have sent 11.",
            "Sender",
        ]
        assert errors["empty"] == [
            "AWS.SimpleQueueService.EmptyBatchRequest",
            400,
            f"There should be at least one {entry} in the request.",
            "Sender",
        ]
        assert errors["bad_id"] == [
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            400,
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.",
            "Sender",
        ]
        assert errors["no_queue"] == [*NO_QUEUE, "Sender"]
    assert seen["too_long"] == [
        "AWS.SimpleQueueService.BatchRequestTooLong",
        400,
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.",
        "Sender",
    ]


# -- message move tasks ---------------------------------------------------------------------------


def test_start_list_and_cancel_message_move_task(sdk: Any) -> None:
    seen = sdk(
        """
        dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
        source = sqs.create_queue(QueueName=name("src"))["QueueUrl"]
        out["dlq_arn"], out["source_arn"] = dlq_arn, source_arn = arn_of(dlq), arn_of(source)
        out["not_a_dlq"] = err(sqs.start_message_move_task, SourceArn=dlq_arn)
        sqs.set_queue_attributes(QueueUrl=source, Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})
        for i in range(3):
            sqs.send_message(QueueUrl=dlq, MessageBody=f"m{i}")
        task = sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=source_arn, MaxNumberOfMessagesPerSecond=1)
        out["task"] = task
        out["second"] = err(sqs.start_message_move_task, SourceArn=dlq_arn, DestinationArn=source_arn)
        out["listed"] = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)
        out["cancelled"] = sqs.cancel_message_move_task(TaskHandle=task["TaskHandle"])
        out["cancel_again"] = err(sqs.cancel_message_move_task, TaskHandle=task["TaskHandle"])
        out["after_cancel"] = sqs.list_message_move_tasks(SourceArn=dlq_arn)
        out["unknown_source"] = err(sqs.start_message_move_task, SourceArn=dlq_arn + "-gone")
        out["list_unknown"] = err(sqs.list_message_move_tasks, SourceArn=dlq_arn + "-gone")
        out["not_an_arn"] = err(sqs.start_message_move_task, SourceArn="not-an-arn")
        out["rate"] = err(sqs.start_message_move_task, SourceArn=dlq_arn, MaxNumberOfMessagesPerSecond=501)
        out["list_max"] = err(sqs.list_message_move_tasks, SourceArn=dlq_arn, MaxResults=11)
        out["bad_handle"] = err(sqs.cancel_message_move_task, TaskHandle="garbage")
        """
    )
    assert seen["not_a_dlq"] == [
        "InvalidParameterValue",
        400,
        "Source queue must be configured as a Dead Letter Queue.",
        "Sender",
    ]
    handle = json.loads(base64.b64decode(seen["task"]["TaskHandle"]))
    assert handle["sourceArn"] == seen["dlq_arn"] and handle["taskId"]
    assert seen["second"][:2] == ["InvalidParameterValue", 400]
    [listed] = seen["listed"]["Results"]  # <ListMessageMoveTasksResultEntry> elements
    assert listed["TaskHandle"] == seen["task"]["TaskHandle"]
    assert (listed["Status"], listed["SourceArn"], listed["DestinationArn"]) == (
        "RUNNING",
        seen["dlq_arn"],
        seen["source_arn"],
    )
    assert (listed["MaxNumberOfMessagesPerSecond"], listed["ApproximateNumberOfMessagesToMove"]) == (1, 3)
    assert isinstance(listed["StartedTimestamp"], int)
    assert isinstance(seen["cancelled"]["ApproximateNumberOfMessagesMoved"], int)
    assert seen["cancel_again"] == [
        "InvalidParameterValue",
        400,
        "Only active tasks can be cancelled.",
        "Sender",
    ]
    [after] = seen["after_cancel"]["Results"]
    assert after["Status"] in ("CANCELLING", "CANCELLED") and "TaskHandle" not in after
    not_found = "The resource that you specified for the SourceArn parameter doesn't exist."
    assert seen["unknown_source"] == ["ResourceNotFoundException", 404, not_found, "Sender"]
    assert seen["list_unknown"] == ["ResourceNotFoundException", 404, not_found, "Sender"]
    assert seen["not_an_arn"][:2] == ["InvalidParameterValue", 400]
    assert seen["rate"][:2] == ["InvalidParameterValue", 400]
    assert seen["list_max"][:2] == ["InvalidParameterValue", 400]
    assert seen["bad_handle"] == [
        "InvalidParameterValue",
        400,
        "Value for parameter TaskHandle is invalid.",
        "Sender",
    ]


def test_fifo_batch_entries_carry_sequence_numbers(sdk: Any) -> None:
    seen = sdk(
        """
        url = sqs.create_queue(QueueName=name() + ".fifo",
                               Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
        out["sent"] = sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "1", "MessageGroupId": "g"},
            {"Id": "b", "MessageBody": "2", "MessageGroupId": "g"}])
        out["bodies"] = [m["Body"] for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]]
        """
    )
    first, second = seen["sent"]["Successful"]
    assert (first["Id"], second["Id"]) == ("a", "b")
    assert int(first["SequenceNumber"]) < int(second["SequenceNumber"])
    assert "Failed" not in seen["sent"]
    assert seen["bodies"] == ["1", "2"]  # one group, in order


# -- the resource interface of the same SDK ------------------------------------------------------


def test_boto3_resources_of_the_query_era_work_unchanged(sdk: Any) -> None:
    seen = sdk(
        """
        resource = boto3.resource("sqs", endpoint_url=os.environ["POCKETCLOUD_ENDPOINT"], region_name="us-east-1",
                                  aws_access_key_id="test", aws_secret_access_key="test")
        n = name()
        queue = resource.create_queue(QueueName=n, Attributes={"VisibilityTimeout": "9"})
        out["url"] = queue.url
        out["loaded"] = queue.attributes["VisibilityTimeout"]  # Queue.load: GetQueueAttributes All
        out["by_name"] = resource.get_queue_by_name(QueueName=n).url
        out["listed"] = [q.url for q in resource.queues.filter(QueueNamePrefix=n)]
        queue.send_messages(Entries=[{"Id": "a", "MessageBody": "one"}, {"Id": "b", "MessageBody": "two"}])
        messages = queue.receive_messages(MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        out["bodies"] = sorted(m.body for m in messages)
        out["md5s"] = sorted(m.md5_of_body for m in messages)
        for m in messages:
            m.delete()
        out["left"] = queue.receive_messages()
        queue.delete()
        """
    )
    assert seen["by_name"] == seen["url"] and seen["listed"] == [seen["url"]]
    assert seen["loaded"] == "9"
    assert seen["bodies"] == ["one", "two"]
    assert seen["md5s"] == sorted([md5_of_body("one"), md5_of_body("two")])
    assert seen["left"] == []


def test_a_message_received_past_max_receive_count_moves_to_the_dead_letter_queue(sdk: Any) -> None:
    seen = sdk(
        """
        dlq = sqs.create_queue(QueueName=name("dlq"))["QueueUrl"]
        source = sqs.create_queue(QueueName=name("src"))["QueueUrl"]
        out["source_arn"] = arn_of(source)
        sqs.set_queue_attributes(QueueUrl=source, Attributes={
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": arn_of(dlq), "maxReceiveCount": 1})})
        sqs.send_message(QueueUrl=source, MessageBody="poison")
        out["first"] = len(sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)["Messages"])
        out["second"] = sqs.receive_message(QueueUrl=source, VisibilityTimeout=0)
        out["dead"] = sqs.receive_message(QueueUrl=dlq, AttributeNames=["All"])["Messages"]
        """
    )
    assert seen["first"] == 1
    assert seen["second"] == {}
    [dead] = seen["dead"]
    assert dead["Body"] == "poison" and dead["MD5OfBody"] == md5_of_body("poison")
    assert dead["Attributes"]["DeadLetterQueueSourceArn"] == seen["source_arn"]
