"""The context a provider receives with each call: who, where, which operation."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.http import Request

# S3's request ids (S3 and S3 Control): 16 upper-case hex digits, x-amz-request-id: 4442587FB7D0A2F9;
# the other services' are UUIDs.
_S3_REQUEST_IDS = frozenset(("s3", "s3control"))
_ID_SPREAD = 0x9E3779B97F4A7C15  # odd, ~2^64 / golden ratio
_ID_KEY = secrets.randbits(64)


def s3_request_id(request_id: str) -> str:
    """S3's form of a UUID-shaped request id: its last 48 bits (the gateway's counter) through a
    bijection of 64-bit numbers keyed per process (an odd multiplier, a random addend), so unique
    within a process, unrelated between processes, and not readable as a count."""
    counter = int(request_id[-12:], 16)
    return f"{(counter * _ID_SPREAD + _ID_KEY) & 0xFFFFFFFFFFFFFFFF:016X}"


def service_request_id(service: str, request_id: str) -> str:
    """`request_id` (UUID-shaped) in the form `service` answers it."""
    return s3_request_id(request_id) if service in _S3_REQUEST_IDS else request_id


@dataclass
class RequestContext:
    service: str
    operation: str
    region: str
    principal: Principal
    request_id: str
    request: Request
    # Extra values an operation exposes to policy conditions (s3:prefix, ...).
    condition_values: dict[str, Any] = field(default_factory=dict)
    # Headers the answer carries even when it is an error (S3's HeadBucket names the bucket's Region
    # in x-amz-bucket-region when it refuses the caller too).
    error_headers: dict[str, str] = field(default_factory=dict)
    # Members of the answer settled before the operation ran, which the answer carries if its
    # operation's output has them (S3's RequestCharged, decided where the buckets are checked).
    answer_members: dict[str, Any] | None = None
    # The Regions a SigV4a signature is good for (its verified X-Amz-Region-Set); () for any other.
    region_set: tuple[str, ...] = ()

    @property
    def account_id(self) -> str:
        return self.principal.account_id

    @classmethod
    def internal(
        cls,
        service: str,
        operation: str,
        region: str,
        principal: Principal,
        headers: dict[str, str],
        condition_values: dict[str, Any] | None = None,
    ) -> RequestContext:
        """The context of a call one service makes to another on an account's behalf (Lambda's pollers
        as the execution role, Logs' exports as its service principal): made over TLS from inside
        AWS, with `headers` (the caller's user-agent, ...) for the request's global condition keys."""
        return cls(
            service=service,
            operation=operation,
            region=region,
            principal=principal,
            request_id=service_request_id(service, str(uuid.uuid4())),
            request=Request("POST", "/", "", headers, scheme="https"),
            condition_values=dict(condition_values or {}),
        )

    @classmethod
    def service_principal(
        cls,
        principal: str,
        service: str,
        operation: str,
        region: str,
        source_account: str,
        source_arn: str,
        headers: dict[str, str] | None = None,
    ) -> RequestContext:
        """The context of a call an AWS service principal ("s3.amazonaws.com") makes in its own name
        for a resource of `source_account` (`source_arn`: the bucket whose notification it delivers,
        ...): resource policies decide it under aws:SourceArn and aws:SourceAccount."""
        caller = Principal(account_id=source_account, arn=principal, user_id=principal, kind="Service")
        return cls.internal(
            service,
            operation,
            region,
            caller,
            {"user-agent": principal, **(headers or {})},
            {"aws:SourceAccount": source_account, "aws:SourceArn": source_arn},
        )
