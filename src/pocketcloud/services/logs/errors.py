"""CloudWatch Logs' errors (both answer HTTP 400, as Logs does), and what every operations
mixin of the Logs provider relies on the provider for."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.store import Scope

Params = dict[str, Any]


def invalid(message: str) -> ServiceError:
    return ServiceError("InvalidParameterException", message, status=400)


def not_found(message: str = "The specified log group does not exist.") -> ServiceError:
    return ServiceError("ResourceNotFoundException", message, status=400)


class LogsMixin:
    """The provider parts an operations mixin uses (LogsProvider supplies them)."""

    store: Any
    _scope: Callable[[RequestContext], Scope]
    _group: Callable[[RequestContext, str], Params]
    _from_identifier: Callable[[RequestContext, str], str]
