"""Bucket policies: what PutBucketPolicy accepts, and when S3 calls a policy public.

`check_bucket_policy` refuses a document the way S3 does (MalformedPolicy with S3's
messages, which are not IAM's: "Policy has invalid resource", "Invalid principal in
policy", "Action does not apply to any resource(s) in statement", ...), then compiles it
with the IAM engine as a resource policy, so a policy S3 stores is one the authorizer
can evaluate. Which actions exist and which resource types they take come from the
IAM catalog (the Service Authorization Reference).

`is_public` follows "The meaning of public" (S3 User Guide, Block Public Access): a
policy is public when an Allow statement names everyone ("*", {"AWS": "*"} or
NotPrincipal) without a condition that pins the request to fixed values of a key that
only known parties can satisfy (aws:SourceIp with a CIDR, aws:SourceArn, aws:SourceVpc,
aws:SourceVpce, aws:SourceOwner, aws:SourceAccount, aws:PrincipalAccount,
aws:PrincipalArn, aws:PrincipalOrgID, aws:userid outside "AROLEID:*", ...).
"""

from __future__ import annotations

import ipaddress
import json
from functools import cache
from typing import Any

from pocketcloud.iam.actions import catalog
from pocketcloud.iam.arn import compile_glob
from pocketcloud.iam.policy import MalformedPolicy as EngineMalformedPolicy
from pocketcloud.iam.policy import is_principal_name, parse_policy
from pocketcloud.protocol.errors import ServiceError

_FIRST_BYTE = "Policies must be valid JSON and the first byte must be '{'"
_INVALID_JSON = "This policy contains invalid Json"
# "Bucket policies are limited to 20 KB in size" (S3 User Guide), counted without the whitespace
# between JSON tokens: a pretty-printed policy of 20 KB of content is accepted.
_MAX_POLICY_BYTES = 20 * 1024
_TOO_LARGE = "Policy exceeds the maximum allowed document size."
_S3_ARN = "arn:aws:s3:::"

# Condition keys whose fixed values make an Allow to everyone non-public (lower-cased).
_RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:SourceIp", "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner", "aws:SourceAccount",
    "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths", "aws:userid", "s3:x-amz-server-side-encryption-aws-kms-key-id",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount",
))
# Operators that pin a key to the listed values (negated ones and ...IfExists do not).
_PINNING_OPERATORS = frozenset(op.lower() for op in (
    "StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike", "IpAddress",
))


def malformed_policy(message: str) -> ServiceError:
    return ServiceError("MalformedPolicy", message, status=400)


# --- validation ---------------------------------------------------------------------------------


def check_bucket_policy(text: Any, bucket: str) -> dict[str, Any]:
    """The parsed document of a policy PutBucketPolicy may store for `bucket`; MalformedPolicy otherwise."""
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        raise malformed_policy(_FIRST_BYTE)
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        raise malformed_policy(_INVALID_JSON) from None
    if not isinstance(document, dict):
        raise malformed_policy(_INVALID_JSON)
    if len(text) > _MAX_POLICY_BYTES and _compact_size(document) > _MAX_POLICY_BYTES:
        # Checked before the IAM engine compiles the document: a glob of megabytes takes seconds to compile.
        raise malformed_policy(_TOO_LARGE)
    if "Version" in document and document["Version"] not in ("2008-10-17", "2012-10-17"):
        raise malformed_policy("The policy must contain a valid version string")
    if "Statement" not in document:
        raise malformed_policy("Missing required field Statement")
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list):
        raise malformed_policy(_INVALID_JSON)
    if not statements:
        raise malformed_policy("Could not parse the policy: Statement is empty!")
    for statement in statements:
        _check_statement(statement, bucket)
    try:
        parse_policy(text, "resource", policy_id="bucket-policy")
    except EngineMalformedPolicy as error:
        message = error.message
        if message.startswith("Invalid principal in policy"):
            message = "Invalid principal in policy"
        raise malformed_policy(message) from None
    return document


def _compact_size(document: dict[str, Any]) -> int:
    """The UTF-8 size of the document written without insignificant whitespace."""
    try:
        compact = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    except (ValueError, RecursionError):
        return 0  # what json cannot write back the checks below refuse
    return len(compact.encode("utf-8", "surrogatepass"))


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    return None


def _check_statement(statement: Any, bucket: str) -> None:
    if not isinstance(statement, dict):
        raise malformed_policy(_INVALID_JSON)
    if "Effect" not in statement:
        raise malformed_policy("Missing required field Effect")
    if statement["Effect"] not in ("Allow", "Deny"):
        raise malformed_policy(f"Invalid effect: {statement['Effect']}")
    if "Principal" not in statement and "NotPrincipal" not in statement:
        raise malformed_policy("Missing required field Principal")
    _check_principal(statement.get("Principal", statement.get("NotPrincipal")))
    if "Action" not in statement and "NotAction" not in statement:
        raise malformed_policy("Missing required field Action")
    if "Resource" not in statement and "NotResource" not in statement:
        raise malformed_policy("Missing required field Resource")
    actions = _strings(statement.get("Action", statement.get("NotAction")))
    resources = _strings(statement.get("Resource", statement.get("NotResource")))
    if not actions:
        raise malformed_policy("Policy has invalid action")
    if not resources:
        raise malformed_policy("Policy has invalid resource")
    kinds: set[str] = set()
    for resource in resources:
        kinds |= _resource_kinds(resource, bucket)
    matched = [_matching_actions(action) for action in actions]
    if "Action" in statement and "Resource" in statement:
        for found in matched:
            if not any(kinds & found_kinds for found_kinds in found.values()):
                raise malformed_policy("Action does not apply to any resource(s) in statement")
    _check_condition_keys(statement.get("Condition"))


def _check_condition_keys(conditions: Any) -> None:
    """An s3: condition key S3 does not define is refused ("Policy has an invalid condition key"), so
    that a misspelt key (s3:x-acl) does not leave a statement that never matches. Keys of other
    services and aws: keys are left to the engine."""
    if not isinstance(conditions, dict):
        return
    for block in conditions.values():
        for key in block if isinstance(block, dict) else ():
            lowered = str(key).lower()
            if lowered.startswith("s3:") and not _known_s3_condition_key(lowered):
                raise malformed_policy("Policy has an invalid condition key")


def _known_s3_condition_key(lowered: str) -> bool:
    keys, tag_prefixes = _s3_condition_keys()
    return lowered in keys or any(lowered.startswith(prefix) and lowered != prefix for prefix in tag_prefixes)


@cache
def _s3_condition_keys() -> tuple[frozenset[str], tuple[str, ...]]:
    """The s3: condition keys of the IAM catalog (lower-cased), and the prefixes of its per-tag keys
    ("s3:ExistingObjectTag/<key>" → "s3:existingobjecttag/")."""
    service = catalog()["services"]["s3"]
    names: set[str] = set()
    for entry in [*service["actions"].values(), *service["resources"].values()]:
        names.update(str(name).lower() for name in entry.get("conditions") or [] if str(name).startswith("s3:"))
    prefixes = tuple(sorted({name.split("/", 1)[0] + "/" for name in names if "/" in name}))
    return frozenset(name for name in names if "/" not in name), prefixes


def _check_principal(element: Any) -> None:
    if element == "*":
        return
    if not isinstance(element, dict) or not element:
        raise malformed_policy("Invalid principal in policy")
    for kind, value in element.items():
        values = _strings(value)
        if kind not in ("AWS", "Service", "Federated", "CanonicalUser") or not values:
            raise malformed_policy("Invalid principal in policy")
        if kind != "AWS":
            continue
        for entry in values:
            if not is_principal_name(entry):
                raise malformed_policy("Invalid principal in policy")


def _resource_kinds(resource: str, bucket: str) -> set[str]:
    """Which S3 resource types ("bucket", "object") a Resource entry can name; it must be this bucket's."""
    if not resource.startswith(_S3_ARN):
        raise malformed_policy("Policy has invalid resource")
    rest = resource[len(_S3_ARN):]
    bucket_part, slash, _ = rest.partition("/")
    if not bucket_part or compile_glob(bucket_part).fullmatch(bucket) is None:
        raise malformed_policy("Policy has invalid resource")
    if slash:
        return {"object"}
    # A wildcard in the bucket part may reach past a "/": it can name objects too.
    return {"bucket", "object"} if "*" in bucket_part else {"bucket"}


@cache
def _s3_actions() -> dict[str, frozenset[str]]:
    """Lower-cased s3 action → the resource types ("bucket", "object") it takes."""
    actions = catalog()["services"]["s3"]["actions"]
    return {
        f"s3:{name}".lower(): frozenset(kind for kind, _ in entry["resources"] if kind in ("bucket", "object"))
        for name, entry in actions.items()
    }


def _matching_actions(action: str) -> dict[str, frozenset[str]]:
    """The catalog's s3 actions an Action entry names; "Policy has invalid action" if none."""
    lowered = action.lower()
    known = _s3_actions()
    if lowered == "*":
        return dict(known)
    if not lowered.startswith("s3:"):
        raise malformed_policy("Policy has invalid action")
    if "*" not in lowered and "?" not in lowered:
        if lowered not in known:
            raise malformed_policy("Policy has invalid action")
        return {lowered: known[lowered]}
    pattern = compile_glob(lowered)
    found = {name: kinds for name, kinds in known.items() if pattern.fullmatch(name)}
    if not found:
        raise malformed_policy("Policy has invalid action")
    return found


# --- "public" -----------------------------------------------------------------------------------


def is_public(document: dict[str, Any]) -> bool:
    statements = document.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "NotPrincipal" not in statement and not _names_everyone(statement.get("Principal")):
            continue
        if not _pins_requester(statement.get("Condition")):
            return True
    return False


def _names_everyone(element: Any) -> bool:
    if element == "*":
        return True
    if isinstance(element, dict):
        return any("*" in (_strings(value) or []) for value in element.values())
    return False


def _pins_requester(conditions: Any) -> bool:
    if not isinstance(conditions, dict):
        return False
    for operator, block in conditions.items():
        if not isinstance(block, dict):
            continue
        name = operator.lower()
        for prefix in ("foranyvalue:", "forallvalues:"):
            name = name.removeprefix(prefix)
        if name not in _PINNING_OPERATORS:
            continue
        for key, values in block.items():
            listed = _strings(values) or []
            if key.lower() in _RESTRICTING_KEYS and listed and all(_fixed(key.lower(), name, v) for v in listed):
                return True
    return False


def _fixed(key: str, operator: str, value: str) -> bool:
    if key == "aws:sourceip":
        try:
            return ipaddress.ip_network(value, strict=False).prefixlen > 0
        except ValueError:
            return False
    if key == "aws:userid" and value.endswith(":*"):
        return False  # every session of a role is not a fixed requester
    if operator.endswith("like"):
        return "*" not in value and "?" not in value
    return True
