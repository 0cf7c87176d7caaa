"""Browser-based POST uploads: the signed policy's rules, then an ordinary object write.

The authenticator has verified who signed the form (`auth/post_form.py`) and the
authorizer has allowed s3:PutObject; what remains is the POST policy, a base64 JSON
document `{"expiration": ..., "conditions": [...]}` that bounds the upload
("Creating a POST Policy"): it must not have expired, every condition must hold
(`{"field": "value"}` and `["eq", "$field", "value"]`, `["starts-with", "$field",
"prefix"]`, `["content-length-range", min, max]`), and every form field must be
named by a condition, apart from the signature fields, `file`, and `x-ignore-*`.
Field names match case-insensitively, values case-sensitively. The size range is
enforced on the file as it streams into its blob.

The answer is `success_action_redirect` (303 to it, with bucket, key and etag in
its query) or `success_action_status`: 204 (the default), 200, or 201 with a
PostResponse document; the serializer writes it (`protocol/serializers/s3.py`).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.parsers.rest import virtual_host_bucket
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.s3.objects import ObjectOperations

Params = dict[str, Any]
_IGNORED_PREFIX = "x-ignore-"


def _invalid_policy(message: str) -> ServiceError:
    return ServiceError("InvalidPolicyDocument", f"Invalid Policy: {message}", status=400)


def _denied(message: str) -> ServiceError:
    return ServiceError("AccessDenied", f"Invalid according to Policy: {message}", status=403)


def _render(elements: list[Any]) -> str:
    """A condition as S3 quotes it in errors: a JSON array with ", " between its elements."""
    return "[" + ", ".join(json.dumps(element) for element in elements) + "]"


class _Condition:
    def __init__(self, operation: str, field: str, value: Any, rendered: str) -> None:
        self.operation = operation  # "eq" | "starts-with" | "content-length-range"
        self.field = field  # lower-cased, without "$"; "" for content-length-range
        self.value = value
        self.rendered = rendered


def _parse_expiration(value: Any) -> datetime:
    if not isinstance(value, str):  # true, 5, null: not the string the policy's grammar has there
        raise _invalid_policy("Invalid JSON.")
    for layout in ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ"):
        try:
            return datetime.strptime(value, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise _invalid_policy(f"Invalid 'expiration' value: '{value}'")


def _bound(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        digits = text.removeprefix("-")
        if is_digits(digits, len(text)):  # a bound past 30 digits is beyond any upload anyway
            number = int(digits) if len(digits) <= 30 else 10**30
            return -number if text.startswith("-") else number
    return None


def _condition(raw: Any) -> _Condition:
    if isinstance(raw, dict):
        if len(raw) != 1:
            raise _invalid_policy(
                "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
            )
        ((name, value),) = raw.items()
        if not isinstance(value, str):
            raise _invalid_policy("Invalid Simple-Condition: value must be a string.")
        return _Condition("eq", name.lower(), value, _render(["eq", f"${name}", value]))
    if not isinstance(raw, list):
        raise _invalid_policy("Invalid condition test: must be a List or Object.")
    if not raw or not isinstance(raw[0], str):
        raise _invalid_policy("Invalid Condition: missing operation identifier.")
    operation = raw[0].lower()
    rendered = _render(raw)
    if operation in ("eq", "starts-with"):
        if len(raw) != 3:
            raise _invalid_policy(f"Invalid {raw[0]}: wrong number of arguments.")
        field, value = raw[1], raw[2]
        if not isinstance(field, str) or not isinstance(value, str):
            raise _invalid_policy("Invalid JSON.")
        # A field named without "$" can never hold: S3 then reports the condition as failed.
        name = field[1:].lower() if field.startswith("$") else "\0" + field
        return _Condition(operation, name, value, rendered)
    if operation == "content-length-range":
        if len(raw) != 3:
            raise _invalid_policy(f"Invalid {raw[0]}: wrong number of arguments.")
        low, high = _bound(raw[1]), _bound(raw[2])
        if low is None or high is None:  # false, "invalid": no number where the grammar has one
            raise _invalid_policy("Invalid JSON.")
        if low < 0 or high < 0:
            raise _invalid_policy("Invalid content-length-range: values must be non-negative.")
        return _Condition(operation, "", (low, high), rendered)
    raise _invalid_policy(f"Invalid Condition: unknown operation '{raw[0]}'.")


def check_post_policy(post: Any, bucket: str, key: str, now: datetime) -> tuple[int, int] | None:
    """Enforce a signed POST policy on the form; the content-length-range, if any, for the file."""
    try:
        text = base64.b64decode(post.fields["policy"], validate=False)
        document = json.loads(text)
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: nested too deep for json
        raise _invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid_policy("Invalid JSON.")
    for name in document:
        if name not in ("expiration", "conditions"):
            raise _invalid_policy(f"Unexpected: '{name.lower()}'")
    if "expiration" not in document:
        raise _invalid_policy("Policy missing expiration.")
    expiration = _parse_expiration(document["expiration"])
    if "conditions" not in document:
        raise _invalid_policy("Policy missing conditions.")
    if not isinstance(document["conditions"], list):
        raise _invalid_policy("Invalid 'conditions' value: must be a List.")
    conditions = [_condition(raw) for raw in document["conditions"]]
    if now > expiration:
        raise _denied("Policy expired.")
    values = {name: value for name, value in post.fields.items()}
    values["bucket"] = bucket
    values["key"] = key
    covered: set[str] = set()
    size_range: tuple[int, int] | None = None
    for condition in conditions:
        if condition.operation == "content-length-range":
            size_range = condition.value
            continue
        covered.add(condition.field)
        actual = values.get(condition.field, "")
        if condition.operation == "eq":
            holds = actual == condition.value
        elif condition.field == "content-type":
            holds = all(part.strip().startswith(condition.value) for part in actual.split(","))
        else:
            holds = actual.startswith(condition.value)
        if not holds:
            raise _denied(f"Policy Condition failed: {condition.rendered}")
    extra = sorted(
        {
            name
            for name in post.names
            if name.lower() not in covered
            and name.lower() not in post.exempt
            and not name.lower().startswith(_IGNORED_PREFIX)
        }
    )
    if "bucket" not in covered:  # the bucket is an input of every POST (from its URL): a policy must name it
        extra = sorted({*extra, "bucket"})
    if extra:
        raise _denied("Extra input fields: " + ", ".join(extra))
    return size_range


class _SizeChecked:
    """The file's bytes, refused as EntityTooLarge/EntityTooSmall outside the policy's range."""

    def __init__(self, body: Any, low: int, high: int) -> None:
        self.body = body
        self.low = low
        self.high = high

    async def __aiter__(self) -> AsyncIterator[bytes]:
        size = 0
        chunks = aiter(self.body)
        async for chunk in chunks:
            size += len(chunk)
            if size > self.high:
                async for rest in chunks:  # S3 reports the whole upload's size
                    size += len(rest)
                raise ServiceError(
                    "EntityTooLarge",
                    "Your proposed upload exceeds the maximum allowed size",
                    status=400,
                    ProposedSize=str(size),
                    MaxSizeAllowed=str(self.high),
                )
            yield chunk
        if size < self.low:
            raise ServiceError(
                "EntityTooSmall",
                "Your proposed upload is smaller than the minimum allowed size",
                status=400,
                ProposedSize=str(size),
                MinSizeAllowed=str(self.low),
            )


def _redirect(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


class PostObjectOperations:
    """POST Object: `PostObject`, authorized as s3:PutObject."""

    authorized_as = {"PostObject": "PutObject"}

    async def PostObject(self, ctx: RequestContext, p: Params) -> Params:
        body = p["Body"]
        post = body.post_form
        bucket, key = p["Bucket"], p["Key"]
        self.s3.bucket(bucket)  # type: ignore[attr-defined]
        if post.signature_version is not None:
            size_range = check_post_policy(post, bucket, key, datetime.now(UTC))
            if size_range is not None:
                body = _SizeChecked(body, *size_range)
        put = {**p, "Body": body}
        result = await ObjectOperations.PutObject(self, ctx, put)  # type: ignore[arg-type]
        notify = getattr(self, "notify", None)
        if notify is not None:
            record = self.s3.objects.get(("", bucket), key)  # type: ignore[attr-defined]
            await notify(ctx, "s3:ObjectCreated:Post", bucket, key, record)
        request = ctx.request
        host = request.host or "localhost"
        path = f"/{quote(key, safe='')}" if virtual_host_bucket(host) else f"/{bucket}/{quote(key, safe='')}"
        out: Params = {
            "ETag": result["ETag"],
            "Bucket": bucket,
            "Key": key,
            "Location": f"{request.scheme}://{host}{path}",
            "Status": post.fields.get("success_action_status", ""),
        }
        if result.get("VersionId"):
            out["VersionId"] = result["VersionId"]
        redirect = _redirect(post.fields.get("success_action_redirect") or post.fields.get("redirect"))
        if redirect is not None:
            query = urlencode({"bucket": bucket, "key": key, "etag": result["ETag"]})
            separator = "&" if urlsplit(redirect).query else "" if redirect.endswith("?") else "?"
            out["Redirect"] = redirect + separator + query
        return out
