"""The users and roles a role's trust policy names, followed as IAM follows them.

IAM keeps a trust policy's user and role ARNs as those principals' unique ids and shows them
back as ARNs ("AWS JSON policy elements: Principal", IAM user guide). So a trust policy goes on
naming a user renamed or moved to another path under its new ARN ("Renaming an IAM user"), and
once the user or role is deleted it names the old unique id (AIDA..., AROA...): the relationship
is broken, and a principal created again with the same name is not trusted. The stored document
is rewritten when that happens, so GetRole shows it and AssumeRole decides by it.
"""

from __future__ import annotations

import json
from typing import Any


def retarget(document: str, old_arn: str, replacement: str) -> str | None:
    """`document` with `old_arn` replaced by `replacement` where a Principal or NotPrincipal
    names it as "AWS"; None when it names it nowhere."""
    if old_arn.rsplit("/", 1)[-1] not in document:  # the name is not there: nothing to parse
        return None
    try:
        policy = json.loads(document)
    except (ValueError, RecursionError):
        return None
    statements = policy.get("Statement") if isinstance(policy, dict) else None
    replaced = 0
    for statement in statements if isinstance(statements, list) else [statements]:
        for element in ("Principal", "NotPrincipal"):
            value = statement.get(element) if isinstance(statement, dict) else None
            if not isinstance(value, dict):
                continue
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
