"""What every part of IAM shares: ids, ARNs, errors, paths, paging, policy documents.

IAM is global: every document lives in the scope (account, "").
"""

from __future__ import annotations

import json
import secrets
import string
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.store import Collection, Scope

# IAM ids and access key ids are base32: letters and the digits 2-7, never 0, 1, 8 or 9 (seen across
# AWS's keys in awsteele.com's "AWS Access Key ID formats", 2020; versity/versitygw checks ^AIDA[A-Z2-7]{17}$).
_ID_ALPHABET = string.ascii_uppercase + "234567"


def new_id(prefix: str, length: int = 21) -> str:
    """IAM unique ids: AIDA… (user), AROA… (role), AGPA… (group), ANPA… (policy), AIPA…, AKIA…"""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length - len(prefix)))


def new_secret(length: int = 40) -> str:
    alphabet = string.ascii_letters + string.digits + "+/"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def scope(ctx: RequestContext) -> Scope:
    return (ctx.account_id, "")


def arn(account: str, kind: str, path: str, name: str) -> str:
    return f"arn:aws:iam::{account}:{kind}{path}{name}"


# -- errors --------------------------------------------------------------


def no_such_entity(message: str) -> ServiceError:
    return ServiceError("NoSuchEntity", message, status=404)


def already_exists(message: str) -> ServiceError:
    return ServiceError("EntityAlreadyExists", message, status=409)


def name_taken(coll: Collection, where: Scope, name: str, besides: str | None = None) -> bool:
    """Whether another entity in `coll` has `name` in any case ("IAM user, group, role, and policy names
    must be unique within the account. Names are not distinguished by case", IAM API reference);
    `besides`: the key of the entity being renamed, which may keep its own name in another case."""
    folded = name.lower()
    return any(key.lower() == folded and key != besides for key, _ in coll.scan_fields(where, ("Path",)))


def delete_conflict(message: str) -> ServiceError:
    return ServiceError("DeleteConflict", message, status=409)


def limit_exceeded(message: str) -> ServiceError:
    return ServiceError("LimitExceeded", message, status=409)


def invalid_input(message: str) -> ServiceError:
    return ServiceError("InvalidInput", message, status=400)


def validation_error(message: str) -> ServiceError:
    return ServiceError("ValidationError", message, status=400)


def malformed_policy(message: str) -> ServiceError:
    return ServiceError("MalformedPolicyDocument", message, status=400)


def check_path(path: str | None, member: str = "path") -> str:
    """An entity path: "/", or printable ASCII between slashes. IAM words a path that is not one
    this way rather than as its model's pattern (the validation step leaves that pattern to us)."""
    if path is None:
        return "/"
    if not _is_path(path):
        raise validation_error(
            f"The specified value for {member} is invalid. It must begin and end with / and contain "
            "only alphanumeric characters and/or / characters."
        )
    return path


def _is_path(path: str) -> bool:
    # The model's pathType: "/" alone, or printable ASCII (slashes included) between two slashes.
    return path == "/" or (
        len(path) > 2 and path[0] == path[-1] == "/" and all("!" <= c <= "~" for c in path)
    )


def check_path_prefix(prefix: str | None) -> None:
    """A PathPrefix filter of a listing: held to the model's pattern, in the validation step's words (the
    step leaves pathType to the provider for the Path members that IAM words its own way)."""
    if prefix is not None and not _is_path(prefix):
        raise validation_error(
            "1 validation error detected: Value at 'pathPrefix' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)"
        )


# -- policy documents ----------------------------------------------------


def check_policy_document(document: str, kind: str = "identity", managed: bool = False) -> str:
    """Validate a policy as AWS does on write; MalformedPolicyDocument otherwise.

    Managed policies (CreatePolicy, CreatePolicyVersion) must use the 2012-10-17 language.
    """
    from pocketcloud.iam.policy import MalformedPolicy, parse_policy
    from pocketcloud.services.iam.document_checks import check_identity_policy

    if kind == "identity":
        try:
            raw = json.loads(document)
        except (TypeError, ValueError, RecursionError):  # RecursionError: nested too deep
            raw = None  # the engine words it
        check_identity_policy(raw, managed)
    try:
        parse_policy(document, kind=kind, require_current_version=managed)  # type: ignore[arg-type]
    except MalformedPolicy as exc:
        raise malformed_policy(str(exc)) from exc
    return document


def encode_document(document: str) -> str:
    """IAM returns policy documents URL-encoded (the SDKs decode them)."""
    return quote(document, safe="")


def decode_json(document: str) -> Any:
    return json.loads(document)


# -- tags ----------------------------------------------------------------

MAX_TAGS = 50


def merge_tags(
    existing: list[dict[str, str]], new: list[dict[str, str]], case_sensitive: bool = False
) -> list[dict[str, str]]:
    """Tags after a Tag* call. Users' and roles' tag keys are case insensitive; a managed
    policy's are not ("a" and "A" are two tags), and AWS words the duplicate error differently."""
    if case_sensitive:
        if len({t["Key"] for t in new}) != len(new):
            raise invalid_input("Duplicate tag keys found.")
    elif len({t["Key"].lower() for t in new}) != len(new):
        raise invalid_input("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    merged = {t["Key"]: t["Value"] for t in existing}
    for tag in new:
        if not case_sensitive:  # a key differing only in case replaces the tag it names
            for key in [k for k in merged if k.lower() == tag["Key"].lower()]:
                del merged[key]
        merged[tag["Key"]] = tag.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise limit_exceeded(f"The number of tags has reached the maximum limit of {MAX_TAGS}.")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def remove_tags(
    existing: list[dict[str, str]], keys: list[str], case_sensitive: bool = False
) -> list[dict[str, str]]:
    """`existing` without the tags `keys` name, matched as `merge_tags` matches them: without regard
    to case but for a managed policy's, so UntagRole of "EnV" drops "env" (versity/versitygw's
    IAMUntagRole_case_insensitive_key)."""
    if case_sensitive:
        return [t for t in existing if t["Key"] not in set(keys)]
    drop = {key.lower() for key in keys}
    return [t for t in existing if t["Key"].lower() not in drop]


# -- paging --------------------------------------------------------------


def page(
    collection: Collection,
    where: Scope,
    params: dict[str, Any],
    keep: Any = None,
    prefix: str = "",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of a listing with IAM's Marker/MaxItems, filtered by `keep(doc)`."""
    limit = params.get("MaxItems") or 100
    if not 1 <= limit <= 1000:
        raise validation_error(
            f"1 validation error detected: Value '{limit}' at 'maxItems' failed to satisfy constraint: "
            "Member must have value less than or equal to 1000"
        )
    after = params.get("Marker")
    found: list[dict[str, Any]] = []
    last_key: str | None = None
    more = False
    while True:
        batch = collection.scan(where, prefix=prefix, start_after=after, limit=limit + 1)
        for key, doc in batch:
            if keep is not None and not keep(doc):
                after = key
                continue
            if len(found) == limit:
                more = True
                break
            found.append(doc)
            last_key = key
            after = key
        if more or len(batch) < limit + 1:
            break
    page_info: dict[str, Any] = {"IsTruncated": more}
    if more and last_key is not None:
        page_info["Marker"] = last_key
    return found, page_info


def path_filter(params: dict[str, Any]) -> Any:
    prefix = params.get("PathPrefix") or "/"
    return lambda doc: doc.get("Path", "/").startswith(prefix)
