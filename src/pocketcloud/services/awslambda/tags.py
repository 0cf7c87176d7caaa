"""TagResource, UntagResource and ListTags: on a function (by name or unqualified ARN), on an
event source mapping by its EventSourceMappingArn, or on a code signing configuration by its ARN, as
AWS tags all three (Lambda developer guide, "Using tags on event source mappings" and "Using tags
on code signing configurations"; the TaggableResource pattern names `event-source-mapping:<UUID>`
and `code-signing-config:csc-...`). A resource holds at most 50 tags.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.awslambda.code_signing import is_csc_arn
from pocketcloud.services.awslambda.errors import invalid_parameter

Params = dict[str, Any]
Tags = dict[str, str]

_MAX_TAGS = 50
_MAPPING_ARN = re.compile(r"arn:aws[a-zA-Z-]*:lambda:[^:]+:\d{12}:event-source-mapping:([0-9a-fA-F-]{36})")


def mapping_id_of(resource: str) -> str | None:
    """The UUID an event source mapping's ARN names; None for any other resource."""
    match = _MAPPING_ARN.fullmatch(resource)
    return match.group(1) if match else None


class TagOperations:
    def _tags(self, ctx: RequestContext, resource: str) -> Tags:
        mapping_id = mapping_id_of(resource)
        if mapping_id is not None:
            return self.mapping_tags(ctx, mapping_id)  # type: ignore[attr-defined]
        if is_csc_arn(resource):
            return self.csc_tags(ctx, resource)  # type: ignore[attr-defined]
        return self.function_tags(ctx, resource)  # type: ignore[attr-defined]

    def _retag(self, ctx: RequestContext, resource: str, change: Callable[[Tags], Tags]) -> None:
        mapping_id = mapping_id_of(resource)
        if mapping_id is not None:
            self.retag_mapping(ctx, mapping_id, change)  # type: ignore[attr-defined]
        elif is_csc_arn(resource):
            self.retag_csc(ctx, resource, change)  # type: ignore[attr-defined]
        else:
            self.retag_function(ctx, resource, change)  # type: ignore[attr-defined]

    def TagResource(self, ctx: RequestContext, p: Params) -> Params:
        def add(tags: Tags) -> Tags:
            if not p["Tags"]:
                raise invalid_parameter("An error occurred and the request cannot be processed.")
            merged = {**tags, **p["Tags"]}
            if len(merged) > _MAX_TAGS:
                raise invalid_parameter("Number of tags exceeds resource tag limit.")
            return merged

        self._retag(ctx, p["Resource"], add)
        return {}

    def UntagResource(self, ctx: RequestContext, p: Params) -> Params:
        removed = set(p["TagKeys"])
        self._retag(ctx, p["Resource"], lambda tags: {k: v for k, v in tags.items() if k not in removed})
        return {}

    def ListTags(self, ctx: RequestContext, p: Params) -> Params:
        return {"Tags": self._tags(ctx, p["Resource"])}
