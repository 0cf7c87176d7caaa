"""The condition keys a request carries, for the authorizer's policy evaluation.

Global keys come from the request and its principal ("AWS global condition context keys"): each
has a resolver, so the authorizer can work out just the keys a principal's policies read before
it looks for a decision it has already made, and the whole set only when it must evaluate.
Request keys come from the parameters: the tags a call sets or removes (aws:RequestTag/<key>,
aws:TagKeys) and the service keys some parameters carry (sts:ExternalId, iam:PolicyARN, ...).
Providers turn their resources' stored tags into aws:ResourceTag/<key> with `resource_tag_values`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext

# Service condition keys whose values a request's parameters carry (Service Authorization Reference).
_STS_KEYS = {"ExternalId": "sts:ExternalId", "RoleSessionName": "sts:RoleSessionName",
             "SourceIdentity": "sts:SourceIdentity", "TransitiveTagKeys": "sts:TransitiveTagKeys"}
# The actions authorized by a role's trust policy (whose parameters carry sts:* keys); TagSession and
# SetSourceIdentity are asked besides the AssumeRoleWith* call whose token or assertion passes
# session tags or a source identity.
TRUST_POLICY_CALLS = frozenset(
    {"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "TagSession", "SetSourceIdentity"}
)
_POLICY_ATTACHMENTS = {f"{verb}{kind}Policy" for verb in ("Attach", "Detach") for kind in ("User", "Group", "Role")}


def parameter_keys(
    service: str, operation: str, params: dict[str, Any], source_identity: str | None = None
) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    if service == "sts" and operation in TRUST_POLICY_CALLS:
        keys = {key: params[member] for member, key in _STS_KEYS.items() if params.get(member) is not None}
        if source_identity and "sts:SourceIdentity" not in keys:
            # A chained session passes its source identity on: both aws:SourceIdentity and
            # sts:SourceIdentity are in the request ("Role chaining and cross-account requirements").
            keys["sts:SourceIdentity"] = source_identity
        if operation == "AssumeRole" and params.get("SerialNumber") and params.get("TokenCode"):
            # An AssumeRole call that passes MFA information is MFA-authenticated itself, so a trust
            # policy can require it ("Configuring MFA-protected API access").
            keys["aws:MultiFactorAuthPresent"] = "true"
            keys["aws:MultiFactorAuthAge"] = "0"
    elif service == "iam":
        if params.get("PermissionsBoundary"):
            keys["iam:PermissionsBoundary"] = params["PermissionsBoundary"]
        if operation in _POLICY_ATTACHMENTS:
            keys["iam:PolicyARN"] = params.get("PolicyArn")
    return keys


_TAG_MEMBERS = frozenset({"Tags", "tags", "TagKeys", "tagKeys"})


def request_keys(params: dict[str, Any]) -> dict[str, Any]:
    """The tag keys of a request that tags (a `Tags` list or map; SQS's and Logs' `tags` map) or
    untags (`TagKeys`; Logs' `tagKeys`, and UntagLogGroup's `tags` list of keys)."""
    if _TAG_MEMBERS.isdisjoint(params):  # most calls, at once
        return {}
    tags = params.get("Tags", params.get("tags"))
    found = request_tag_values(tags)
    if found:
        return found
    untagged = params.get("TagKeys", params.get("tagKeys"))
    if untagged is None and isinstance(tags, list):
        untagged = tags
    if isinstance(untagged, list) and untagged and all(isinstance(key, str) for key in untagged):
        return {"aws:TagKeys": list(untagged)}
    return {}


def request_tag_values(tags: Any) -> dict[str, Any]:
    """aws:RequestTag/<key> and aws:TagKeys of a request's tags, a list of Key/Value pairs (KMS's:
    TagKey/TagValue) or a map ({} if it names none)."""
    if isinstance(tags, dict) and tags:
        pairs = [(str(key), value if isinstance(value, str) else "") for key, value in tags.items()]
    elif isinstance(tags, list) and tags and isinstance(tags[0], dict):
        pairs = [(t.get("Key", t.get("TagKey")), t.get("Value", t.get("TagValue", ""))) for t in tags]
    else:
        return {}
    keys: dict[str, Any] = {f"aws:RequestTag/{key}": value for key, value in pairs}
    keys["aws:TagKeys"] = [key for key, _ in pairs]
    return keys


def resource_tag_values(tags: Any, prefixes: tuple[str, ...] = ("aws",)) -> dict[str, str]:
    """<prefix>:ResourceTag/<key> of a resource's stored tags (a list of Key/Value pairs, or a map as
    SQS, Lambda and Logs keep them), for each prefix: ("aws",) for most resource types, ("aws", "iam")
    for IAM users and roles."""
    pairs = tags.items() if isinstance(tags, dict) else [(tag["Key"], tag.get("Value", "")) for tag in tags or ()]
    return {f"{prefix}:ResourceTag/{key}": value for key, value in pairs for prefix in prefixes}


_clock: list[Any] = [0, "", ""]  # the second last formatted, and its two forms


def _time_keys() -> tuple[str, str]:
    second = int(time.time())
    if _clock[0] != second:  # formatting a date costs more than the rest of the context together
        _clock[:] = [second, datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), str(second)]
    return _clock[1], _clock[2]


# Services with a single endpoint in us-east-1: "IAM calls are always made to the us-east-1 Region"
# whatever region the client signs for ("AWS global condition context keys", aws:RequestedRegion).
_GLOBAL_ENDPOINT_SERVICES = frozenset({"iam", "organizations"})


def _mfa_present(ctx: RequestContext) -> str | None:
    # Temporary credentials only: with long-term access keys the key is absent (so
    # `Bool aws:MultiFactorAuthPresent false` does not match them; `BoolIfExists` does).
    principal = ctx.principal
    if principal.session_expires is None:
        return None
    return "true" if principal.mfa_authenticated else "false"


def _token_issue_time(ctx: RequestContext) -> str | None:
    principal = ctx.principal
    if principal.session_expires is None or principal.session_issued is None:
        return None
    return principal.session_issued.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _mfa_age(ctx: RequestContext) -> str | None:
    """Seconds since the MFA-authenticated temporary credentials were issued."""
    principal = ctx.principal
    issued = principal.session_issued
    if principal.session_expires is None or issued is None or not principal.mfa_authenticated:
        return None
    return str(max(0, int(_time_keys()[1]) - int(issued.timestamp())))


# The global keys a request carries ("AWS global condition context keys", Availability): the name,
# and the value for a request (None: the request does not carry the key).
_GLOBAL_KEYS: tuple[tuple[str, Callable[[RequestContext], Any]], ...] = (
    ("aws:CurrentTime", lambda ctx: _time_keys()[0]),
    ("aws:EpochTime", lambda ctx: _time_keys()[1]),
    ("aws:SourceIp", lambda ctx: ctx.request.client_ip),
    ("aws:SecureTransport", lambda ctx: "true" if ctx.request.scheme == "https" else "false"),
    ("aws:RequestedRegion", lambda ctx: "us-east-1" if ctx.service in _GLOBAL_ENDPOINT_SERVICES else ctx.region),
    # "false when the principal makes the call directly"; a service calling on the principal's
    # behalf says otherwise through its own condition values.
    ("aws:ViaAWSService", lambda ctx: "false"),
    ("aws:UserAgent", lambda ctx: ctx.request.headers.get("user-agent", "")),
    # Present only when the client sends a Referer header (a browser following a link).
    ("aws:referer", lambda ctx: ctx.request.headers.get("referer") or None),
    # "After a source identity is set, the aws:SourceIdentity key is present in all subsequent
    # requests made during the role session."
    ("aws:SourceIdentity", lambda ctx: ctx.principal.source_identity or None),
    ("aws:MultiFactorAuthPresent", _mfa_present),
    ("aws:TokenIssueTime", _token_issue_time),
    ("aws:MultiFactorAuthAge", _mfa_age),
)
_GLOBAL_BY_LOWER_NAME = {name.lower(): resolve for name, resolve in _GLOBAL_KEYS}


def global_context(ctx: RequestContext) -> dict[str, Any]:
    """The global condition keys the request carries."""
    found = ((name, resolve(ctx)) for name, resolve in _GLOBAL_KEYS)
    return {name: value for name, value in found if value is not None}


def global_value(lowered_name: str, ctx: RequestContext) -> Any:
    """The value of one global key (its name lower-cased) for the request; None if it carries none
    (as for every key that is not a global one)."""
    resolve = _GLOBAL_BY_LOWER_NAME.get(lowered_name)
    return resolve(ctx) if resolve is not None else None
