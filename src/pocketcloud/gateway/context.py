"""The context a provider receives with each call: who, where, which operation."""

from __future__ import annotations

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

    @property
    def account_id(self) -> str:
        return self.principal.account_id
