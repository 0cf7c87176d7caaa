"""What IAM checks in an identity policy when it is written, beyond what the policy engine needs to
evaluate it, and in the order AWS reports the first problem (as recorded against real AWS):

1. syntax, including the shape of the Condition element;
2. the policy language version (managed policies);
3. legacy parsing: the Effect's case, date condition values, resource ARNs that do not parse;
4. statement ids of letters and digits only, then unique;
5. actions present (an empty string is present, an empty list is not);
6. the first malformed resource: not an ARN, an unknown partition, a vendor that is not fully
   qualified, region information where the service has none, an IAM resource path;
7. resources present;
8. each action prefixed by a valid vendor.

Anything this module lets pass is still parsed by the engine (`check_policy_document`), which
refuses the rest with its own wording.
"""

from __future__ import annotations

import re
from typing import Any

from pocketcloud.iam.dates import legacy_date
from pocketcloud.iam.policy import MalformedPolicy, check_action
from pocketcloud.services.iam.common import malformed_policy

SYNTAX = "Syntax errors in policy."
LEGACY = "The policy failed legacy parsing"
CURRENT_VERSION = "2012-10-17"
PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
IAM_RESOURCE_STARTS = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
)
SID_CHARACTERS = re.compile(r"[0-9A-Za-z]*")
_SCALARS = (str, int, float, bool)


class _Unchecked(Exception):
    """The document is malformed in a way the engine reports itself (its Syntax errors)."""


def check_identity_policy(raw: Any, managed: bool) -> None:
    """Raise MalformedPolicyDocument for the first problem AWS reports in `raw` (a decoded policy)."""
    try:
        statements = _statements(raw)
    except _Unchecked:
        return
    if any(not _condition_shape_ok(s["Condition"]) for s in statements if "Condition" in s):
        raise malformed_policy(SYNTAX)
    if managed and raw.get("Version") != CURRENT_VERSION:
        return  # the engine's "Policy document must be version 2012-10-17 or greater."
    for statement in statements:
        if statement["Effect"] not in ("Allow", "Deny") or not _dates_parse(statement.get("Condition", {})):
            raise malformed_policy(LEGACY)
    resource_error = _resource_error_or_legacy(statements)
    sids = [s["Sid"] for s in statements if s.get("Sid")]
    # An identity policy's Sid is ASCII letters and digits ("IAM JSON policy elements: Sid"); IAM
    # refuses "my-sid" before it looks at duplicates (resource and trust policies allow more).
    if not all(SID_CHARACTERS.fullmatch(sid) for sid in sids):
        raise malformed_policy(
            "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular "
            "expression [0-9A-Za-z]*"
        )
    if len(sids) != len(set(sids)):
        raise malformed_policy("Statement IDs (SID) in a single policy must be unique.")
    if not all(_present(s, "Action") or _present(s, "NotAction") for s in statements):
        raise malformed_policy("Policy statement must contain actions.")
    if resource_error:
        raise malformed_policy(resource_error)
    if not all(_present(s, "Resource") or _present(s, "NotResource") for s in statements):
        raise malformed_policy("Policy statement must contain resources.")
    for statement in statements:
        for action in _as_list(statement.get("Action", statement.get("NotAction", []))):
            _check_action(action)


def _statements(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, dict):
        raise _Unchecked
    statements = raw.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise _Unchecked
    for statement in statements:
        effect = statement.get("Effect") if isinstance(statement, dict) else None
        if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
            raise _Unchecked
        if not isinstance(statement.get("Sid", ""), str):  # the engine refuses it in its own words
            raise _Unchecked
        for element in ("Action", "NotAction", "Resource", "NotResource"):
            value = statement.get(element, "")
            if not (
                isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            ):
                raise _Unchecked
    return statements


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _present(statement: dict[str, Any], element: str) -> bool:
    """An element is there when it is a string (even "") or a list with something in it."""
    return element in statement and statement[element] != []


# -- conditions ----------------------------------------------------------------------------------


def _condition_shape_ok(condition: Any) -> bool:
    """Condition: {operator: {key: value or [values]}}, the values scalars."""
    if not isinstance(condition, dict):
        return False
    for block in condition.values():
        if not isinstance(block, dict):
            return False
        for value in block.values():
            if not all(isinstance(v, _SCALARS) for v in _as_list(value)):
                return False
    return True


def _dates_parse(condition: dict[str, Any]) -> bool:
    for operator, block in condition.items():
        base = (
            operator.split(":", 1)[1] if operator.startswith(("ForAnyValue:", "ForAllValues:")) else operator
        )
        if base.removesuffix("IfExists").startswith("Date"):
            for value in block.values():
                if not all(legacy_date(str(v)) is not None for v in _as_list(value)):
                    return False
    return True


# -- resources -----------------------------------------------------------------------------------


def _resource_error_or_legacy(statements: list[dict[str, Any]]) -> str | None:
    """The first malformed resource's message (reported after the actions check); resources of
    statements before it that do not parse fail legacy parsing at once."""
    found: str | None = None
    for statement in statements:
        for element in ("Resource", "NotResource"):
            for resource in _as_list(statement.get(element, [])):
                found = found or _resource_error(resource)
            if found is None:
                for resource in _as_list(statement.get(element, [])):
                    if not _legacy_resource(resource):
                        raise malformed_policy(LEGACY)
    return found


def _legacy_resource(resource: str) -> bool:
    if resource in ("", "*"):
        return True
    if resource.count(":") < 5 and "::" in resource:
        return False
    fields = resource.split(":")
    return len(fields) < 3 or fields[2] != ""


def _resource_error(resource: str) -> str | None:
    if resource == "*":
        return None
    _, colon, rest = resource.partition(":")
    if not colon:
        return f'Resource {resource} must be in ARN format or "*".'
    fields = rest.split(":")
    partition, after = fields[0], fields[1:]
    if partition != "*" and partition not in PARTITIONS:
        service = after[0] if after and (after[0] or len(after) > 1) else "*"
        region = after[1] if len(after) > 1 else "*"
        account = after[2] if len(after) > 2 else "*"
        rest = ":".join(after[3:]) if len(after) > 3 else "*"
        return f'Partition "{partition}" is not valid for resource "arn:{partition}:{service}:{region}:{account}:{rest}".'
    if not after:
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service, region = after[0], after[1] if len(after) > 1 else ""
    account = after[2] if len(after) > 2 else ""
    name = ":".join(after[3:]) if len(after) > 3 else None
    if service == "iam" and region:
        return f"IAM resource {resource} cannot contain region information."
    # A bucket or object ARN has neither region nor account; S3's regional resources (access
    # points, batch jobs, Storage Lens, ...) have both.
    if service == "s3" and region and not account:
        return f"Resource {resource} can not contain region information."
    if (
        service == "iam"
        and name is not None
        and name not in ("*", "root")
        and not name.startswith(IAM_RESOURCE_STARTS)
    ):
        return (
            'IAM resource path must either be "*", root, or start with '
            + ", ".join(IAM_RESOURCE_STARTS)
            + "."
        )
    return None


# -- actions -------------------------------------------------------------------------------------


def _check_action(action: str) -> None:
    try:
        check_action(action)
    except MalformedPolicy as exc:
        raise malformed_policy(str(exc)) from exc
