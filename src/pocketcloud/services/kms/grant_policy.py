"""Grants as statements of their key's policy, and the principals a grant may name.

The authorizer sees a key's grants as more statements of its key policy (`key_policy`): each
grant allows its grantee its operations, under its constraints. A grant's principals are checked
when it is made (`check_principal`: an ARN of an account, IAM user or role, assumed-role session or
federated user, as CreateGrant's reference lists them, or an AWS service's principal;
InvalidArnException otherwise), and a grant statement that cannot be expressed anyway (one stored before that check) is left out of the
policy rather than making the whole document unparseable: a key policy that does not parse would
leave the caller's identity policies alone to decide, the key policy's Denies ignored.

Constraints: EncryptionContextSubset needs each of its pairs in the request's encryption context
(kms:EncryptionContext:<key>); EncryptionContextEquals needs exactly its pairs, no more (its keys
are also all the request's kms:EncryptionContextKeys; an empty one needs no context at all);
SourceArn needs aws:SourceArn. The encryption-context constraints do not apply to DescribeKey and
RetireGrant, and SourceArn does not apply to RetireGrant (CreateGrant's Constraints reference).
"""

from __future__ import annotations

import json
import re
from typing import Any

from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError

Params = dict[str, Any]

# The principals CreateGrant takes as GranteePrincipal or RetiringPrincipal ("IAM ARNs").
_PRINCIPAL_ARN = re.compile(
    r"arn:aws[a-z-]*:(?:"
    r"iam::\d{12}:(?:root|user/[\w+=,.@/-]+|role/[\w+=,.@/-]+)"
    r"|sts::\d{12}:(?:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+|federated-user/[\w+=,.@-]+)"
    r")"
)
# A service principal as the model's ServicePrincipalType has it ("logs.amazonaws.com").
_SERVICE_PRINCIPAL = re.compile(r"[A-Za-z0-9-]+\.[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_WITHOUT_CONTEXT = frozenset({"DescribeKey", "RetireGrant"})  # encryption-context constraints do not apply
_WITHOUT_SOURCE_ARN = frozenset({"RetireGrant"})  # nor does SourceArn


def invalid_arn(value: str) -> ServiceError:
    return ServiceError("InvalidArnException", f"ARN does not refer to a valid principal: {value}", status=400)


def check_principal(value: str) -> None:
    """InvalidArnException unless `value` is the ARN of a principal a grant may name, or an AWS service's
    principal: the grants AWS services make for themselves name theirs in GranteePrincipal and
    RetiringPrincipal ("dynamodb.us-west-1.amazonaws.com", as the Terraform AWS provider's
    TestAccKMSGrant_service makes one against AWS), from before GranteeServicePrincipal existed."""
    if not isinstance(value, str):
        raise invalid_arn(str(value))
    if _PRINCIPAL_ARN.fullmatch(value) is None and not _is_aws_service(value):
        raise invalid_arn(value)


def is_service_principal(value: str) -> bool:
    return isinstance(value, str) and _SERVICE_PRINCIPAL.fullmatch(value) is not None


def _is_aws_service(value: str) -> bool:
    """An AWS service's principal named in GranteePrincipal or RetiringPrincipal (`check_principal`)."""
    return value.endswith(".amazonaws.com") and is_service_principal(value)


def _grantee(grant: Params) -> Params | None:
    """The Principal element naming a grant's grantee, or None if it names none we can express."""
    service = grant.get("GranteeServicePrincipal")
    if service:
        return {"Service": service} if is_service_principal(service) else None
    grantee = grant.get("GranteePrincipal")
    if not isinstance(grantee, str):
        return None
    if _is_aws_service(grantee):
        return {"Service": grantee}
    return {"AWS": grantee}


def _literal(text: str, substitutes: bool) -> str:
    """`text` as a literal condition value: in a policy that substitutes variables, `${$}` is "$"."""
    return text.replace("$", "${$}") if substitutes and "$" in text else text


def _conditions(constraints: Params, operation: str, substitutes: bool) -> Params:
    """The Condition element of a grant's statement for `operation`."""
    condition: Params = {}
    if operation not in _WITHOUT_CONTEXT:
        subset = constraints.get("EncryptionContextSubset")
        equals = constraints.get("EncryptionContextEquals")
        pairs = {**(subset or {}), **(equals or {})}
        if pairs:
            condition["StringEquals"] = {
                f"kms:EncryptionContext:{key}": _literal(value, substitutes) for key, value in pairs.items()
            }
        if isinstance(equals, dict):  # exactly these pairs: no other key in the request's context
            if equals:
                # "in a grant constraint, the key in each key-value pair is not case sensitive, but the
                # value is case sensitive" (GrantConstraints), as kms:EncryptionContext:<key> names are
                condition["ForAllValues:StringEqualsIgnoreCase"] = {
                    "kms:EncryptionContextKeys": [_literal(key, substitutes) for key in equals]
                }
            else:
                condition["Null"] = {"kms:EncryptionContextKeys": "true"}
    source_arn = constraints.get("SourceArn")
    if source_arn and operation not in _WITHOUT_SOURCE_ARN:
        condition.setdefault("StringEquals", {})["aws:SourceArn"] = _literal(source_arn, substitutes)
    return condition


def grant_statements(grants: list[Params], substitutes: bool = True) -> list[Params]:
    """Each grant as statements of its key's policy (one per set of conditions its operations have),
    leaving out any that would not parse. `substitutes`: the key policy is of version 2012-10-17,
    whose condition values may hold variables (a literal "$" is escaped)."""
    statements = []
    for grant in grants:
        principal = _grantee(grant)
        operations = grant.get("Operations")
        if principal is None or not isinstance(operations, list) or not operations:
            continue
        constraints = grant.get("Constraints") or {}
        by_condition: dict[str, tuple[Params, list[str]]] = {}
        for operation in operations:
            if not isinstance(operation, str):
                continue
            condition = _conditions(constraints, operation, substitutes) if isinstance(constraints, dict) else {}
            key = json.dumps(condition, sort_keys=True)
            by_condition.setdefault(key, (condition, []))[1].append(f"kms:{operation}")
        for condition, actions in by_condition.values():
            statement: Params = {
                "Effect": "Allow",
                "Principal": principal,
                "Action": sorted(actions),  # kms:ReEncryptFrom and To, as IAM has them
                "Resource": "*",
            }
            if condition:
                statement["Condition"] = condition
            if _expressible(statement):
                statements.append(statement)
    return statements


def _expressible(statement: Params) -> bool:
    try:
        parse_policy({"Version": "2012-10-17", "Statement": [statement]}, kind="key")
    except (MalformedPolicy, TypeError, ValueError):
        return False
    return True


def key_policy(policy: str, grants: list[Params]) -> str:
    """The key policy with the key's grants as statements of it. A document that cannot take them
    (it does not parse, which validation at PutKeyPolicy prevents) is answered as it is."""
    if not grants:
        return policy
    try:
        document = json.loads(policy)
    except ValueError:
        return policy
    if not isinstance(document, dict):
        return policy
    extra = grant_statements(grants, substitutes=document.get("Version") == "2012-10-17")
    if not extra:
        return policy
    statements = document.get("Statement") or []
    statements = statements if isinstance(statements, list) else [statements]
    document["Statement"] = statements + extra
    merged = json.dumps(document)
    try:
        parse_policy(merged, kind="key")
    except MalformedPolicy:
        return policy  # never let the grants make the key policy itself unreadable
    return merged
