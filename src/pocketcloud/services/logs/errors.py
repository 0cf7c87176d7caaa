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


def no_resource(arn: str) -> ServiceError:
    return ServiceError(
        "ResourceNotFoundException", f"The specified resource does not exist: {arn}", status=400
    )


def tags_of_resource(
    store: Any,
    collection: Any,
    scope: Scope,
    name: str,
    arn: str,
    add: dict[str, str] | None,
    remove: list[str] | None,
    max_tags: int,
    arn_member: str = "arn",
) -> dict[str, str]:
    """The tags of the resource `arn` names, stored as `name` in `collection` (a destination, a
    delivery destination, an anomaly detector: its ARN under `arn_member`), after adding and
    removing; TagResource, UntagResource and ListTagsForResource take its ARN."""
    with store.transaction():
        doc = collection.get(scope, name)
        if doc is None or doc[arn_member] != arn:
            raise no_resource(arn)
        if add is None and remove is None:
            return dict(doc.get("tags") or {})
        tags = {**(doc.get("tags") or {}), **(add or {})}
        for key in remove or []:
            tags.pop(key, None)
        if len(tags) > max_tags:
            raise ServiceError(
                "TooManyTagsException",
                f"A resource can have no more than {max_tags} tags.",
                status=400,
                resourceName=arn,
            )
        doc["tags"] = tags
        collection.put(scope, name, doc)
        return tags
