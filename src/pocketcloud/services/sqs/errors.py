"""SQS's errors, with SQS's codes and wording.

Codes are the model's error shape names where one exists (QueueDoesNotExist,
ReceiptHandleIsInvalid, ...); the protocol layer (`serializers/sqs.py`) sends
their legacy query codes (AWS.SimpleQueueService.NonExistentQueue) and
statuses. The rest are the query-era codes SQS has no shape for:
InvalidParameterValue and MissingParameter, both 400.
"""

from __future__ import annotations

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError

INVALID_CHARACTERS = (
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
    "#xE000 to #xFFFD | #x10000 to #x10FFFF"
)


def over_query(ctx: RequestContext | None) -> bool:
    """Whether the call came over the query protocol (whose wording differs in places)."""
    return ctx is not None and "x-amz-target" not in ctx.request.headers


def queue_does_not_exist(ctx: RequestContext | None = None) -> ServiceError:
    if over_query(ctx):
        return ServiceError("QueueDoesNotExist", "The specified queue does not exist for this wsdl version.")
    return ServiceError("QueueDoesNotExist", "The specified queue does not exist.")


def invalid_parameter_value(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValue", message, status=400)


def invalid_value(name: str, value: object, reason: str) -> ServiceError:
    """`Value X for parameter Name is invalid. Reason: ...`, SQS's most common error."""
    return invalid_parameter_value(f"Value {value} for parameter {name} is invalid. Reason: {reason}")


def not_for_queue_type(name: str, value: object) -> ServiceError:
    """A send naming a parameter its queue's type does not take (DelaySeconds on a FIFO queue,
    MessageDeduplicationId on a standard one), in AWS's wording, grammar slip included ("The
    request include parameter"): moto's AWS-verified test_send_message_delay_seconds_validation,
    and a live eu-west-1 answer to a MessageDeduplicationId sent to a standard queue."""
    return invalid_value(name, value, "The request include parameter that is not valid for this queue type.")


def missing_parameter(name: str) -> ServiceError:
    return ServiceError("MissingParameter", f"The request must contain the parameter {name}.", status=400)


def invalid_attribute_name(name: str) -> ServiceError:
    return ServiceError("InvalidAttributeName", f"Unknown Attribute {name}.")


def invalid_attribute_value(name: str, reason: str | None = None) -> ServiceError:
    message = f"Invalid value for the parameter {name}."
    if reason:
        message = f"Invalid value for the parameter {name}. Reason: {reason}"
    return ServiceError("InvalidAttributeValue", message)


def policy_over_limit() -> ServiceError:
    """A Policy attribute past SQS's 8,192-byte policy quota: OverLimit (403), as real SQS answers
    SetQueueAttributes (not InvalidAttributeValue)."""
    return ServiceError("OverLimit", "Submitted policy is over max allowed size.")


def policy_actions_over_limit(count: int) -> ServiceError:
    """A Policy statement naming more than 7 actions (SQS's quota per statement), as SQS answers it."""
    return ServiceError(
        "OverLimit", f"{count} actions were found in a statement from the submitted policy, max allowed is 7"
    )


def statement_count_message(count: int, most: int) -> str:
    """SQS's words for a queue policy of more statements than its quota (20)."""
    return f"{count} statements were found in the submitted policy, max allowed is {most}"


def policy_statements_over_limit(count: int, most: int) -> ServiceError:
    """AddPermission past the queue policy's statement quota ("AddPermission returns this error if
    the maximum number of permissions for the queue is reached")."""
    return ServiceError("OverLimit", statement_count_message(count, most))


def too_many_in_flight() -> ServiceError:
    """A short-polling receive from a standard queue with the most messages in flight SQS allows
    (about 120,000; "Amazon SQS standard queue quotas"), in SQS's words."""
    return ServiceError(
        "OverLimit",
        "Too many messages have been received without being deleted.\nPlease delete your received "
        "messages or let them timeout before receiving more.",
    )


def invalid_message_contents() -> ServiceError:
    return ServiceError("InvalidMessageContents", INVALID_CHARACTERS)


def receipt_handle_is_invalid(handle: str) -> ServiceError:
    return ServiceError(
        "ReceiptHandleIsInvalid", f'The input receipt handle "{handle}" is not a valid receipt handle.'
    )


def receipt_handle_of_another_queue(handle: str) -> ServiceError:
    """A well-formed handle that a receive from another queue gave ("How do I troubleshoot
    ReceiptHandleIsInvalid ... errors", AWS Knowledge Center)."""
    return ServiceError(
        "ReceiptHandleIsInvalid", f'The receipt handle "{handle}" is not valid for this queue.'
    )


def receipt_handle_expired(handle: str) -> ServiceError:
    return invalid_value("ReceiptHandle", handle, "The receipt handle has expired.")


def message_not_inflight() -> ServiceError:
    return ServiceError(
        "MessageNotInflight", "Message does not exist or is not available for visibility timeout change."
    )


def not_available_for_visibility_change(handle: str) -> ServiceError:
    return invalid_value(
        "ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change."
    )


def resource_not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message)


# -- batches -------------------------------------------------------------------------------


def empty_batch(entry_name: str) -> ServiceError:
    return ServiceError("EmptyBatchRequest", f"There should be at least one {entry_name} in the request.")


def too_many_entries(count: int) -> ServiceError:
    return ServiceError(
        "TooManyEntriesInBatchRequest",
        f"Maximum number of entries per request are 10. You have sent {count}.",
    )


def ids_not_distinct(entry_id: str) -> ServiceError:
    return ServiceError("BatchEntryIdsNotDistinct", f"Id {entry_id} repeated.")


def invalid_batch_entry_id() -> ServiceError:
    return ServiceError(
        "InvalidBatchEntryId",
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
        "It can be at most 80 letters long.",
    )


def batch_too_long(limit: int, size: int) -> ServiceError:
    return ServiceError(
        "BatchRequestTooLong",
        f"Batch requests cannot be longer than {limit} bytes. You have sent {size} bytes.",
    )
