"""Whether a function's execution role may send to a destination or a dead-letter target.

Lambda sends an asynchronous invocation's record to its destination, and the failed event
to its dead-letter target, as the function's execution role. So AWS refuses the
configuration when the role may not make that call (PutFunctionEventInvokeConfig:
"The function's execution role does not have permissions to call SendMessage on <arn>";
CreateFunction/UpdateFunctionConfiguration with a DeadLetterConfig: "The provided execution
role does not have permissions to call SendMessage on SQS"), and a delivery the role may no
longer make is dropped. The decision is `RoleAccess`'s: the one an SDK call made with the
function's own credentials gets, identity and resource (queue, function) policies alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pocketcloud.services.awslambda.role_access import RoleAccess

# Where an on-failure record sent to an S3 bucket is written: "aws/lambda/async/<function-name>/YYYY/MM/DD/
# YYYY-MM-DDTHH.MM.SS-<Random UUID>" (Capturing records of Lambda asynchronous invocations).
ASYNC_RECORDS = "aws/lambda/async/"


@dataclass(frozen=True)
class TargetCall:
    service: str
    operation: str  # the model's operation, as the authorizer takes it
    action: str  # the call as AWS's messages name it
    label: str  # the service as the dead-letter message names it
    region: str
    params: dict[str, Any]


def target_call(runtime: Any, target: str) -> TargetCall | None:
    """The call a send to `target` is; None for a target no role check is made for here."""
    parts = target.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
    if service == "sqs":
        sqs = runtime.provider("sqs")
        url = sqs.queue_url_of(target) if sqs is not None else None
        # A queue that does not exist (yet) is still named by its URL, so its ARN is what the policy sees.
        url = url or f"{runtime.settings.endpoint}/{account}/{resource}"
        return TargetCall(
            "sqs", "SendMessage", "SendMessage", "SQS", region, {"QueueUrl": url, "MessageBody": "-"}
        )
    if service == "lambda":
        return TargetCall("lambda", "Invoke", "InvokeFunction", "Lambda", region, {"FunctionName": target})
    if service == "sns":
        return TargetCall("sns", "Publish", "Publish", "SNS", region, {"TopicArn": target, "Message": "-"})
    if service == "s3" and resource and "/" not in resource:  # a bucket: records go under ASYNC_RECORDS
        params = {"Bucket": resource, "Key": ASYNC_RECORDS}
        return TargetCall("s3", "PutObject", "PutObject", "S3", runtime.settings.region, params)
    return None


def denied_call(access: RoleAccess, role_arn: str, session_name: str, target: str) -> TargetCall | None:
    """The call the role may not make to reach `target`, or None when it may (or nothing is checked)."""
    call = target_call(access.runtime, target)
    if call is None:
        return None
    allowed = access.allowed(role_arn, session_name, call.service, call.operation, call.region, call.params)
    return None if allowed else call
