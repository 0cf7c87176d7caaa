"""Lambda's errors, with its codes, statuses and wording."""

from __future__ import annotations

from pocketcloud.protocol.errors import ServiceError


def not_found(message: str) -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, status=404, Type="User")


def function_not_found(arn: str) -> ServiceError:
    return not_found(f"Function not found: {arn}")


def alias_not_found(arn: str) -> ServiceError:
    return not_found(f"Cannot find alias arn: {arn}")


def invalid_parameter(message: str) -> ServiceError:
    return ServiceError("InvalidParameterValueException", message, status=400, Type="User")


def invalid_parameter_untyped(message: str) -> ServiceError:
    """InvalidParameterValueException as AWS words a few of them: without the Type member
    (the concurrency limits, an alias of $LATEST with routing)."""
    return ServiceError("InvalidParameterValueException", message, status=400)


def conflict(message: str) -> ServiceError:
    return ServiceError("ResourceConflictException", message, status=409, Type="User")


def validation(member: str, value: object, constraint: str) -> ServiceError:
    return ServiceError(
        "ValidationException",
        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}",
        status=400,
    )


def too_many_requests(reason: str) -> ServiceError:
    return ServiceError("TooManyRequestsException", "Rate Exceeded.", status=429, Reason=reason, Type="User")


def revision_mismatch(api: str = "GetFunction/GetAlias") -> ServiceError:
    return ServiceError(
        "PreconditionFailedException",
        f"The Revision Id provided does not match the latest Revision Id. Call the {api} API to "
        "retrieve the latest Revision Id",
        status=412,
        Type="User",
    )


def policy_too_large(size: int) -> ServiceError:
    return ServiceError(
        "PolicyLengthExceededException",
        f"The final policy size ({size}) is bigger than the limit (20480).",
        status=400,
        Type="User",
    )
