"""Queue attributes: names, defaults, and the validation CreateQueue and SetQueueAttributes apply.

Attributes are stored as the strings GetQueueAttributes returns. Ranges and
defaults are those of the CreateQueue reference (MaximumMessageSize up to
1 MiB, its default since AWS raised the message size limit). Wording follows
SQS: `Unknown Attribute X.` (InvalidAttributeName) and `Invalid value for the
parameter X.` (InvalidAttributeValue); policies are held to SQS's 8,192-byte quota
(OverLimit) and checked by the IAM policy parser (save a Resource that is no ARN,
which SQS stores: `for_evaluation`), redrive policies against the queues they name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.sqs.errors import (
    invalid_attribute_name,
    invalid_attribute_value,
    invalid_value,
    policy_actions_over_limit,
    policy_over_limit,
    statement_count_message,
)
from pocketcloud.services.sqs.state import Queue, parse_queue_arn

# name → (minimum, maximum) for the integer attributes.
RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}
DEFAULTS: dict[str, str] = {
    "DelaySeconds": "0",
    "MaximumMessageSize": "1048576",
    "MessageRetentionPeriod": "345600",
    "ReceiveMessageWaitTimeSeconds": "0",
    "VisibilityTimeout": "30",
    "SqsManagedSseEnabled": "true",
}
# SQS's policy quota ("Amazon SQS policy quotas": Bytes 8,192).
MAX_POLICY_BYTES = 8192
MAX_POLICY_ACTIONS = 7  # per statement
MAX_POLICY_STATEMENTS = 20
FIFO_DEFAULTS: dict[str, str] = {
    "FifoQueue": "true",
    "ContentBasedDeduplication": "false",
    "DeduplicationScope": "queue",
    "FifoThroughputLimit": "perQueue",
}
SETTABLE = frozenset(RANGES) | {
    "Policy",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
}
FIFO_ONLY = ("ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit")
COMPUTED = (
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
)
# The order GetQueueAttributes lists them in with `All`.
ALL_ORDER = (
    "Policy",
    "QueueArn",
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "VisibilityTimeout",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)
KNOWN = frozenset(ALL_ORDER) | {"All"}

FindQueue = Callable[[str], Queue | None]


def normalize(
    given: dict[str, Any], *, fifo: bool, arn: str, account: str, region: str, find: FindQueue
) -> dict[str, str]:
    """The attributes of a CreateQueue or SetQueueAttributes call, validated, as they will be stored.
    An empty Policy, RedrivePolicy or KmsMasterKeyId stands for removing it (value "")."""
    out: dict[str, str] = {}
    for name, raw in given.items():
        if name not in SETTABLE:
            raise invalid_attribute_name(name)
        if name in FIFO_ONLY and not fifo:
            if name == "ContentBasedDeduplication":
                raise invalid_attribute_name(name)
            raise ServiceError(
                "InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true."
            )
        value = "" if raw is None else str(raw)
        if name == "FifoQueue":
            # A standard queue knows no such attribute, at creation or after; a FIFO queue may be
            # told again that it is one, but not that it is not.
            if not fifo:
                raise invalid_attribute_name(name)
            if value.lower() != "true":
                raise invalid_attribute_value(name, "Modifying queue type is not supported.")
            value = "true"
        elif name in RANGES:
            low, high = RANGES[name]
            if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
                raise invalid_attribute_value(name)
            value = str(int(value))
        elif name in ("SqsManagedSseEnabled", "ContentBasedDeduplication"):
            if value.lower() not in ("true", "false"):
                raise invalid_attribute_value(name)
            value = value.lower()
        elif name == "DeduplicationScope":
            if value not in ("messageGroup", "queue"):
                raise invalid_attribute_value(name)
        elif name == "FifoThroughputLimit":
            if value not in ("perQueue", "perMessageGroupId"):
                raise invalid_attribute_value(name)
        elif name == "Policy":
            value = _policy(value)
        elif name == "RedrivePolicy":
            value = (
                redrive_policy(value, fifo=fifo, arn=arn, account=account, region=region, find=find)
                if value
                else ""
            )
        elif name == "RedriveAllowPolicy":
            value = redrive_allow_policy(value) if value else ""
        out[name] = value
    if out.get("SqsManagedSseEnabled") == "true" and out.get("KmsMasterKeyId"):
        raise ServiceError(
            "InvalidAttributeName",  # sic: SQS reports this conflict under InvalidAttributeName
            "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
        )
    return out


def apply(stored: dict[str, str], changes: dict[str, str]) -> dict[str, str]:
    """`stored` with `changes` applied (removals included), and SSE kept one kind at a time."""
    merged = dict(stored)
    for name, value in changes.items():
        if value == "" and name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId"):
            merged.pop(name, None)
        else:
            merged[name] = value
    if changes.get("KmsMasterKeyId"):
        merged["SqsManagedSseEnabled"] = "false"
        merged.setdefault("KmsDataKeyReusePeriodSeconds", "300")
    elif changes.get("SqsManagedSseEnabled") == "true":
        merged.pop("KmsMasterKeyId", None)
    if not merged.get("KmsMasterKeyId"):
        # The reuse period of a KMS data key means nothing without a KMS key: SQS takes it and does not
        # keep it (hashicorp/terraform-provider-aws#19786: "AWS doesn't send back any value for the
        # KmsDataKeyReusePeriodSeconds queue attribute if kms_master_key_id isn't set"; #40728 with SSE-SQS).
        merged.pop("KmsDataKeyReusePeriodSeconds", None)
    fifo_limit = merged.get("FifoThroughputLimit")
    if fifo_limit == "perMessageGroupId" and merged.get("DeduplicationScope") != "messageGroup":
        raise invalid_attribute_value(
            "FifoThroughputLimit",
            "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
        )
    return merged


def differing(existing: Queue, wanted: dict[str, str]) -> str | None:
    """The first attribute of a repeated CreateQueue whose value differs from the queue's."""
    for name, value in wanted.items():
        if name == "KmsDataKeyReusePeriodSeconds" and not apply(existing.attributes, wanted).get(name):
            continue  # not kept without a KMS key (`apply`), so the same request again is no conflict
        current = existing.attributes.get(name, "")
        if name in ("Policy", "RedrivePolicy", "RedriveAllowPolicy") and current and value:
            if json.loads(current) != json.loads(value):
                return name
        elif current != value:
            return name
    return None


def _policy(text: str) -> str:
    if not text:
        return ""
    # SQS's policy quota is in bytes of the submitted text, checked before the text is read.
    if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
        raise policy_over_limit()
    try:
        document = json.loads(text)
        if not isinstance(document, dict) or not document.get("Statement"):
            raise ValueError("no statements")
        evaluated = for_evaluation(text)
        if evaluated:
            parse_policy(evaluated, "resource")
    except (ValueError, MalformedPolicy, RecursionError) as exc:  # RecursionError: nested too deep
        raise invalid_attribute_value("Policy") from exc
    statements = document["Statement"]
    count = len(statements) if isinstance(statements, list) else 1
    if count > MAX_POLICY_STATEMENTS:
        raise invalid_attribute_value("Policy", statement_count_message(count, MAX_POLICY_STATEMENTS))
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", statement.get("NotAction")) if isinstance(statement, dict) else None
        actions = actions if isinstance(actions, list) else [actions] if actions else []
        if len(actions) > MAX_POLICY_ACTIONS:
            raise policy_actions_over_limit(len(actions))
    return text


# What a Resource that is no ARN stands for when the policy is read: an ARN no queue has.
NO_QUEUE_ARN = "arn:aws:sqs:::"


@lru_cache(maxsize=1024)  # asked on every call to a queue with a policy
def for_evaluation(text: str) -> str:
    """A queue policy as the IAM policy parser is to read it ("" when nothing of it can apply). SQS,
    unlike IAM, stores a statement whose Resource is no ARN (e.g. an unexpanded template,
    "'$sqs_queue_arn'": AWS accepted it in LocalStack's AWS-validated test_set_queue_policy); such an
    entry names no queue, so it is read as an ARN no queue has and the policy's other statements keep
    their effect. It also stores a statement naming no Principal or no Resource (AWS took
    {"Effect": "Allow", "Action": "*"} in amazon.aws's sqs_queue integration test), which applies
    to no one and is left out here."""
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return text
    statements = document.get("Statement") if isinstance(document, dict) else None
    changed = False
    listed = statements if isinstance(statements, list) else [statements]
    kept = [s for s in listed if not isinstance(s, dict) or _names_principal_and_resource(s)]
    if len(kept) != len(listed):
        if not kept:
            return ""
        document["Statement"] = statements = kept
        changed = True
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict):
            continue
        for element in ("Resource", "NotResource"):
            value = statement.get(element)
            entries = value if isinstance(value, list) else [value]
            if any(isinstance(e, str) and e != "*" and ":" not in e for e in entries):
                fixed = [NO_QUEUE_ARN if isinstance(e, str) and e != "*" and ":" not in e else e for e in entries]
                statement[element] = fixed if isinstance(value, list) else fixed[0]
                changed = True
    return json.dumps(document) if changed else text


def _names_principal_and_resource(statement: dict[str, Any]) -> bool:
    return any(k in statement for k in ("Principal", "NotPrincipal")) and any(
        k in statement for k in ("Resource", "NotResource")
    )


def redrive_policy(text: str, *, fifo: bool, arn: str, account: str, region: str, find: FindQueue) -> str:
    try:
        policy = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        policy = None
    if not isinstance(policy, dict):
        raise invalid_attribute_value("RedrivePolicy", "Redrive policy is not a valid JSON map.")

    def bad(reason: str) -> ServiceError:
        return invalid_value("RedrivePolicy", text, reason)

    for required in ("maxReceiveCount", "deadLetterTargetArn"):
        if required not in policy:
            raise bad(f"Redrive policy does not contain mandatory attribute: {required}.")
    if set(policy) - {"maxReceiveCount", "deadLetterTargetArn"}:
        raise bad("Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].")
    count = policy["maxReceiveCount"]
    try:
        count_value = int(str(count))
    except ValueError:
        count_value = 0
    if isinstance(count, bool) or not 1 <= count_value <= 1000:
        raise bad(
            f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000 both inclusive."
        )
    target = policy["deadLetterTargetArn"]
    if not isinstance(target, str) or not target.startswith("arn:"):
        raise bad("Invalid value for deadLetterTargetArn.")
    parsed = parse_queue_arn(target)
    if parsed is None:
        raise bad("Only SQS queues are valid resources for deadLetterTargetArn.")
    if parsed[2].endswith(".fifo") != fifo:
        raise bad("Dead-letter queue must be same type of queue as the source..")
    dlq = find(target)
    if dlq is None or parsed[0] != region or parsed[1] != account:
        raise bad("Dead letter target does not exist.")
    if not allows_source(dlq, arn):
        raise bad(
            f"Queue {arn} is not allowed to use {target} as a dead-letter queue by its RedriveAllowPolicy."
        )
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count_value}, separators=(",", ":"))


def allows_source(dlq: Queue, source_arn: str) -> bool:
    """Whether the dead-letter queue's RedriveAllowPolicy lets `source_arn` use it."""
    text = dlq.attributes.get("RedriveAllowPolicy")
    if not text:
        return True
    policy = json.loads(text)
    permission = policy.get("redrivePermission")
    if permission == "denyAll":
        return False
    if permission == "byQueue":
        return source_arn in (policy.get("sourceQueueArns") or [])
    return True


def redrive_allow_policy(text: str) -> str:
    unsupported = invalid_attribute_value(
        "RedriveAllowPolicy",
        "Amazon SQS can't create the redrive allow policy, as it’s in an unsupported format.",
    )
    try:
        policy = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        raise unsupported from None
    if not isinstance(policy, dict) or set(policy) - {"redrivePermission", "sourceQueueArns"}:
        raise unsupported
    permission = policy.get("redrivePermission")
    if permission not in ("allowAll", "denyAll", "byQueue"):
        raise unsupported
    sources = policy.get("sourceQueueArns")
    if sources is not None and (
        not isinstance(sources, list) or not all(isinstance(s, str) for s in sources)
    ):
        raise unsupported
    reason = None
    if permission == "byQueue" and not sources:
        reason = (
            "Amazon SQS can't create the redrive allow policy. When you specify the byQueue permission "
            "type, you must also specify one or more sourceQueueArns values."
        )
    elif permission == "byQueue" and len(sources or []) > 10:
        reason = (
            "Amazon SQS can't create the redrive allow policy. The maximum number of source queue "
            "ARNs you can specify is 10."
        )
    elif permission != "byQueue" and sources is not None:
        reason = (
            "Amazon SQS can't create the redrive allow policy. To specify one or more source queue "
            "ARNs, you must set redrivePermission to byQueue."
        )
    if reason:
        raise invalid_value("RedriveAllowPolicy", text, reason)
    return json.dumps(policy, separators=(",", ":"), ensure_ascii=False)
