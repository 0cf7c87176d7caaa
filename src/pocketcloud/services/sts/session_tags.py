"""Session tags: the tags a session request passes, the transitive ones, and what a chained
session inherits from the session that makes it ("Passing session tags in AWS STS")."""

from __future__ import annotations

from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.sts.session_credentials import GLOBAL
from pocketcloud.store import Collection

Params = dict[str, Any]


def _session_tags(p: Params) -> dict[str, str]:
    """AssumeRole's session tags, refused as STS refuses them."""
    tags = p.get("Tags") or []
    keys = [t["Key"] for t in tags]
    if len({k.lower() for k in keys}) != len(keys):
        raise ServiceError(
            "InvalidParameterValue",
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            status=400,
        )
    lowered = {k.lower() for k in keys}
    if any(k.lower() not in lowered for k in p.get("TransitiveTagKeys") or []):
        raise ServiceError(
            "InvalidParameterValue",
            "The specified transitive tag key must be included in the requested tags.",
            status=400,
        )
    return {t["Key"]: t["Value"] for t in tags}


def _transitive(tags: dict[str, str], transitive_keys: list[str]) -> list[str]:
    """The session's transitive tag keys (as its tags spell them): what a session it makes inherits."""
    wanted = {k.lower() for k in transitive_keys}
    return sorted(k for k in tags if k.lower() in wanted)


class TransitiveTags:
    sessions: Collection

    def _inherited_transitive_tags(self, caller: Any) -> dict[str, str]:
        """The transitive session tags of the calling role session, which a session it makes inherits."""
        if caller.kind != "AssumedRole" or not caller.access_key_id:
            return {}
        doc = self.sessions.get(GLOBAL, caller.access_key_id) or {}
        tags = doc.get("Tags") or {}
        return {k: tags[k] for k in doc.get("TransitiveTagKeys") or [] if k in tags}
