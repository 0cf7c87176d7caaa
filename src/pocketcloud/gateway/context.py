"""The context a provider receives with each call: who, where, which operation."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from pocketcloud.auth.principal import Principal
from pocketcloud.gateway.http import Request


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
            # S3's ids are 16 upper-case hex digits (gateway/app.py's s3_request_id), the others' UUIDs.
            request_id=f"{secrets.randbits(64):016X}" if service in ("s3", "s3control") else str(uuid.uuid4()),
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
