"""Directory bucket names: `<base-name>--<zone-id>--x-s3` (S3 User Guide, "Directory bucket naming rules")."""

from __future__ import annotations

import json
import re
from typing import Any

from pocketcloud.iam.arn import compile_glob
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError

SUFFIX = "--x-s3"
_BASE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# An Availability Zone id (usw2-az1) or a Local Zone's (usw2-lax1-az1).
_ZONE = re.compile(r"^[a-z]+[0-9]+(?:-[a-z]+[0-9]+)*-az[0-9]+$")
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")


def is_directory_bucket_name(name: str) -> bool:
    """Whether `name` has a directory bucket's suffix (the SDKs route by it, as S3 does)."""
    return name.endswith(SUFFIX)


def zone_of(name: str) -> str | None:
    """The zone id a well-formed directory bucket name carries; None for any other name."""
    if not name.endswith(SUFFIX) or not 3 <= len(name) <= 63 or name.startswith(_RESERVED_PREFIXES):
        return None
    base, dashes, zone = name[: -len(SUFFIX)].rpartition("--")
    if not dashes or not _BASE.match(base) or not _ZONE.match(zone):
        return None
    return zone


def invalid_bucket_name(name: str) -> ServiceError:
    return ServiceError("InvalidBucketName", "The specified bucket is not valid.", status=400, BucketName=name)


def _malformed(message: str) -> ServiceError:
    return ServiceError("MalformedPolicy", message, status=400)


def check_directory_policy(text: Any, arn: str) -> None:
    """MalformedPolicy unless `text` is a policy for the directory bucket of `arn`: actions of
    s3express, resources naming that bucket's ARN."""
    try:
        document = json.loads(text) if isinstance(text, str) else None
    except (ValueError, RecursionError):
        document = None
    if not isinstance(document, dict) or "Statement" not in document:
        raise _malformed("This policy contains invalid Json")
    statements = document["Statement"]
    for statement in [statements] if isinstance(statements, dict) else statements or [None]:
        if not isinstance(statement, dict):
            raise _malformed("This policy contains invalid Json")
        actions = statement.get("Action", statement.get("NotAction"))
        resources = statement.get("Resource", statement.get("NotResource"))
        for action in [actions] if isinstance(actions, str) else actions or [None]:
            if not isinstance(action, str) or not (action == "*" or action.lower().startswith("s3express:")):
                raise _malformed("Policy has invalid action")
        for resource in [resources] if isinstance(resources, str) else resources or [None]:
            if not isinstance(resource, str) or compile_glob(resource).fullmatch(arn) is None:
                raise _malformed("Policy has invalid resource")
    try:
        parse_policy(text, "resource", policy_id="bucket-policy")
    except MalformedPolicy as error:
        raise _malformed(error.message) from None
