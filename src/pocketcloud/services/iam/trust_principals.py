"""The users and roles a policy names as principals: found, and followed as IAM follows them.

Every policy that names a user or role by ARN (a trust policy, a bucket policy, a key policy) must
name one that exists, at that path, when it is stored (`named_principals`, for the IAM provider's
`missing_principal`).

IAM keeps a trust policy's user and role ARNs as those principals' unique ids and shows them
back as ARNs ("AWS JSON policy elements: Principal", IAM user guide). So a trust policy goes on
naming a user renamed or moved to another path under its new ARN ("Renaming an IAM user"), and
once the user or role is deleted it names the old unique id (AIDA..., AROA...): the relationship
is broken, and a principal created again with the same name is not trusted. The stored document
is rewritten when that happens, so GetRole shows it and AssumeRole decides by it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pocketcloud.iam.policy import is_principal_name


def unnamed_principal(policy: Any) -> str | None:
    """The first "AWS" entry of a parsed policy's Principal or NotPrincipal that names no principal
    IAM knows how to name (`is_principal_name`); None when all do.
    IAM refuses to store such a trust policy ("Invalid principal in policy")."""
    for element in _principal_elements(policy):
        entries = element.get("AWS")
        for entry in [entries] if isinstance(entries, str) else entries if isinstance(entries, list) else []:
            if isinstance(entry, str) and not is_principal_name(entry):
                return entry
    return None


_NAMED = re.compile(r"arn:aws:iam::(?P<account>\d{12}):(?P<kind>user|role)/(?:.*/)?(?P<name>[^/]+)")


def _principal_elements(policy: Any) -> Iterator[dict[str, Any]]:
    """Each Principal and NotPrincipal object of a parsed policy's statements."""
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    for statement in statements if isinstance(statements, list) else [statements]:
        for element in ("Principal", "NotPrincipal"):
            value = statement.get(element) if isinstance(statement, dict) else None
            if isinstance(value, dict):
                yield value


def named_principals(policy: Any) -> list[tuple[str, str, str, str]]:
    """(ARN, account, "user" or "role", name) of each IAM user and role a parsed policy's Principal
    or NotPrincipal names by ARN."""
    found = []
    for element in _principal_elements(policy):
        entries = element.get("AWS")
        for entry in [entries] if isinstance(entries, str) else entries if isinstance(entries, list) else []:
            match = _NAMED.fullmatch(entry) if isinstance(entry, str) else None
            if match is not None:
                found.append((entry, match["account"], match["kind"], match["name"]))
    return found


def retarget(document: str, old_arn: str, replacement: str) -> str | None:
    """`document` with `old_arn` replaced by `replacement` where a Principal or NotPrincipal
    names it as "AWS"; None when it names it nowhere."""
    if old_arn.rsplit("/", 1)[-1] not in document:  # the name is not there: nothing to parse
        return None
    try:
        policy = json.loads(document)
    except (ValueError, RecursionError):
        return None
    replaced = 0
    for value in _principal_elements(policy):
        entries: Any = value.get("AWS")
        if entries == old_arn:
            value["AWS"] = replacement
            replaced += 1
        elif isinstance(entries, list) and old_arn in entries:
            replaced += entries.count(old_arn)
            value["AWS"] = [replacement if entry == old_arn else entry for entry in entries]
    if not replaced:
        return None
    quoted = json.dumps(old_arn)
    if document.count(quoted) == replaced:  # named only as a principal: keep the document's layout
        return document.replace(quoted, json.dumps(replacement))
    return json.dumps(policy)
