"""S3 Control: access points, named endpoints that front one bucket with a policy of their own.

An access point belongs to an account and a region (`arn:aws:s3:<region>:<account>:accesspoint/<name>`)
and gets a bucket-style alias (`<name>-<random>-s3alias`) that works wherever a bucket name does. Its
documents are kept per (account, region) under the access point's name; a global index maps each
alias to its access point. S3 asks `access_point` and `access_point_by_alias` which access point a
data request names (`services/s3/access_point_routing.py`); the requests themselves are S3's.

Block Public Access of an access point defaults to all four settings on; the account's settings
(S3 Control's PutPublicAccessBlock) apply on top of them, as for buckets.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.arn import compile_glob
from pocketcloud.iam.policy import MalformedPolicy, parse_policy
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.bucket_policy import is_public, malformed_policy

Params = dict[str, Any]
SETTINGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
ALIAS_SUFFIX = "-s3alias"
_GLOBAL = ("", "")
# Access point names: 3-50 characters of lower-case letters, digits and hyphens, not at either end
# ("Naming rules for access points", S3 User Guide).
_NAME_CHARACTERS = re.compile(r"[a-z0-9-]{3,50}")
_ALIAS_RANDOM = string.ascii_lowercase + string.digits
_MAX_RESULTS = 1000


def access_point_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:s3:{region}:{account}:accesspoint/{name}"


def no_such_access_point(name: str) -> ServiceError:
    return ServiceError(
        "NoSuchAccessPoint", "The specified accesspoint does not exist", status=404, AccessPointName=name
    )


def _invalid_request(message: str) -> ServiceError:
    return ServiceError("InvalidRequest", message, status=400)


def check_name(name: Any) -> str:
    """The access point name, or AWS's refusal of it."""
    if not isinstance(name, str) or not _NAME_CHARACTERS.fullmatch(name):
        raise ServiceError("InvalidURI", "Couldn't parse the specified URI.", status=400)
    if name[0] == "-" or name[-1] == "-" or name.endswith(ALIAS_SUFFIX):
        raise _invalid_request("Your Amazon S3 AccessPoint name is invalid")
    return name


def _new_alias(name: str) -> str:
    # 63 characters, as S3's aliases: the name's start, a random part, the reserved suffix.
    prefix = name[:20].rstrip("-")
    random_part = "".join(
        secrets.choice(_ALIAS_RANDOM) for _ in range(63 - len(prefix) - 1 - len(ALIAS_SUFFIX))
    )
    return f"{prefix}-{random_part}{ALIAS_SUFFIX}"


def _settings(config: Any) -> dict[str, bool]:
    if not isinstance(config, dict):
        return dict.fromkeys(SETTINGS, True)
    return {name: bool(config.get(name)) for name in SETTINGS}


def check_access_point_policy(text: Any, arn: str) -> dict[str, Any]:
    """The parsed policy PutAccessPointPolicy may store; MalformedPolicy with S3's wording otherwise.

    Its resources must be the access point itself or objects through it (`<arn>/object/<key>`)."""
    if not isinstance(text, str) or not text.lstrip().startswith("{"):
        raise malformed_policy("Policies must be valid JSON and the first byte must be '{'")
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep for json
        raise malformed_policy("This policy contains invalid Json") from None
    if not isinstance(document, dict) or "Statement" not in document:
        raise malformed_policy("Missing required field Statement")
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        raise malformed_policy("Could not parse the policy: Statement is empty!")
    for statement in statements:
        if not isinstance(statement, dict):
            raise malformed_policy("This policy contains invalid Json")
        resources = statement.get("Resource", statement.get("NotResource"))
        resources = [resources] if isinstance(resources, str) else resources
        if not isinstance(resources, list) or not resources:
            raise malformed_policy("Missing required field Resource")
        for resource in resources:
            if not isinstance(resource, str) or not _names_access_point(resource, arn):
                raise malformed_policy("Policy has invalid resource")
    try:
        parse_policy(text, "resource", policy_id="access-point-policy")
    except MalformedPolicy as error:
        message = error.message
        if message.startswith("Invalid principal in policy"):
            message = "Invalid principal in policy"  # S3 says no more than that
        raise malformed_policy(message) from None
    return document


def _names_access_point(resource: str, arn: str) -> bool:
    base, slash, rest = resource.partition("/object/")
    if slash and not rest:
        return False
    return compile_glob(base).fullmatch(arn) is not None


class AccessPointOperations:
    """S3 Control's access point operations (mixed into S3ControlProvider)."""

    runtime: Any

    def _access_point_collections(self) -> tuple[Any, Any]:
        found = getattr(self, "_ap_collections", None)
        if found is None:
            store = self.runtime.store
            found = self._ap_collections = (
                store.collection("s3control", "access_points"),
                store.collection("s3control", "access_point_aliases"),
            )
        return found

    def _account(self, ctx: RequestContext, p: Params) -> str:  # S3ControlProvider's
        raise NotImplementedError

    def account_public_access_block(self, account_id: str) -> dict[str, bool] | None:  # S3ControlProvider's
        raise NotImplementedError

    # -- for S3 -------------------------------------------------------------------------------

    def access_point(self, account: str, region: str, name: str) -> Params | None:
        """The access point `name` of an account in a region, None if there is none."""
        points, _ = self._access_point_collections()
        doc = points.get((account, region), name)
        return None if doc is None else self._with_identity(doc, account, region)

    def access_point_by_alias(self, alias: str) -> Params | None:
        """The access point an alias (`<name>-<random>-s3alias`) stands for, None if none."""
        points, aliases = self._access_point_collections()
        entry = aliases.get(_GLOBAL, alias)
        if entry is None:
            return None
        return self.access_point(entry["Account"], entry["Region"], entry["Name"])

    def access_point_block(self, point: Params) -> dict[str, bool]:
        """The Block Public Access settings in force for an access point: its own OR'ed with its account's."""
        account = self.account_public_access_block(point["Account"]) or {}
        own = point.get("PublicAccessBlock") or {}
        return {name: bool(own.get(name)) or bool(account.get(name)) for name in SETTINGS}

    @staticmethod
    def _with_identity(doc: Params, account: str, region: str) -> Params:
        return {
            **doc,
            "Account": account,
            "Region": region,
            "Arn": access_point_arn(region, account, doc["Name"]),
        }

    def _existing(self, ctx: RequestContext, p: Params) -> tuple[str, Params]:
        account = self._account(ctx, p)
        name = str(p.get("Name") or "")
        found = self.access_point(account, ctx.region, name)
        if found is None:
            raise no_such_access_point(name)
        return account, found

    # -- operations ---------------------------------------------------------------------------

    def CreateAccessPoint(self, ctx: RequestContext, p: Params) -> Params:
        account = self._account(ctx, p)
        name = check_name(p.get("Name"))
        if p.get("Scope"):
            raise _invalid_request("Scope is only supported for access points attached to directory buckets.")
        vpc = p.get("VpcConfiguration")
        if vpc is not None and not (isinstance(vpc, dict) and vpc.get("VpcId")):
            raise _invalid_request("Request invalid")
        bucket_name = p.get("Bucket")
        if not bucket_name:
            raise ServiceError(
                "MalformedXML",
                "The XML you provided was not well-formed or did not validate against our published schema",
                status=400,
            )
        s3 = self.runtime.provider("s3")
        bucket = s3.s3.buckets.get(_GLOBAL, bucket_name) if s3 is not None else None
        if bucket is None:
            raise _invalid_request("Amazon S3 AccessPoint can only be created for existing bucket")
        if bucket.get("Region", "us-east-1") != ctx.region:
            raise _invalid_request("Amazon S3 AccessPoint can only be created for bucket in the same region")
        # A cross-account access point names the bucket's owner; otherwise the bucket must be the caller's.
        bucket_account = p.get("BucketAccountId") or account
        if bucket_account != bucket["Account"]:
            raise _invalid_request(
                "BucketAccountId parameter should be same as the AWS Account Id of bucket owner"
            )
        doc: Params = {
            "Name": name,
            "Bucket": bucket_name,
            "BucketAccountId": bucket_account,
            # Which bucket of that name: one deleted and created again is another bucket.
            "BucketCreationDate": bucket.get("CreationDate"),
            "PublicAccessBlock": _settings(p.get("PublicAccessBlockConfiguration")),
            "CreationDate": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "Alias": _new_alias(name),
        }
        if vpc is not None:
            doc["VpcId"] = vpc["VpcId"]
        if p.get("Tags"):
            doc["Tags"] = [dict(tag) for tag in p["Tags"]]  # read back by ListTagsForResource (tagging.py)
        points, aliases = self._access_point_collections()
        with self.runtime.store.transaction():
            if not points.insert((account, ctx.region), name, doc):
                raise ServiceError(
                    "AccessPointAlreadyOwnedByYou",
                    "Your previous request to create the named accesspoint succeeded and you already own it.",
                    status=409,
                )
            aliases.put(_GLOBAL, doc["Alias"], {"Account": account, "Region": ctx.region, "Name": name})
        return {"AccessPointArn": access_point_arn(ctx.region, account, name), "Alias": doc["Alias"]}

    def GetAccessPoint(self, ctx: RequestContext, p: Params) -> Params:
        _, point = self._existing(ctx, p)
        region = point["Region"]
        domain = f"{region}.amazonaws.com"
        return {
            **self._summary(point),
            "PublicAccessBlockConfiguration": _settings(point.get("PublicAccessBlock")),
            "CreationDate": datetime.fromisoformat(point["CreationDate"]),
            "Endpoints": {
                "ipv4": f"s3-accesspoint.{domain}",
                "fips": f"s3-accesspoint-fips.{domain}",
                "fips_dualstack": f"s3-accesspoint-fips.dualstack.{domain}",
                "dualstack": f"s3-accesspoint.dualstack.{domain}",
            },
        }

    @staticmethod
    def _summary(point: Params) -> Params:
        summary: Params = {
            "Name": point["Name"],
            "NetworkOrigin": "VPC" if point.get("VpcId") else "Internet",
            "Bucket": point["Bucket"],
            "AccessPointArn": point["Arn"],
            "Alias": point["Alias"],
            "BucketAccountId": point.get("BucketAccountId") or point["Account"],
        }
        if point.get("VpcId"):
            summary["VpcConfiguration"] = {"VpcId": point["VpcId"]}
        return summary

    def ListAccessPoints(self, ctx: RequestContext, p: Params) -> Params:
        account = self._account(ctx, p)
        limit = p.get("MaxResults") or _MAX_RESULTS
        if not isinstance(limit, int) or not 0 < limit <= _MAX_RESULTS:
            limit = _MAX_RESULTS
        after = None
        if p.get("NextToken"):
            try:
                after = base64.urlsafe_b64decode(p["NextToken"] + "=" * (-len(p["NextToken"]) % 4)).decode()
            except (ValueError, UnicodeDecodeError):
                raise _invalid_request("Invalid nextToken") from None
        points, _ = self._access_point_collections()
        bucket = p.get("Bucket")
        found: list[Params] = []
        token = None
        # Filtered by bucket as they are read: a page holds `limit` matches, however many are skipped.
        for _key, doc in points.scan((account, ctx.region), start_after=after):
            if bucket and doc.get("Bucket") != bucket:
                continue
            if len(found) == limit:
                token = base64.urlsafe_b64encode(found[-1]["Name"].encode()).decode().rstrip("=")
                break
            found.append(self._summary(self._with_identity(doc, account, ctx.region)))
        result: Params = {"AccessPointList": found}
        if token:
            result["NextToken"] = token
        return result

    def DeleteAccessPoint(self, ctx: RequestContext, p: Params) -> Params:
        account, point = self._existing(ctx, p)
        points, aliases = self._access_point_collections()
        with self.runtime.store.transaction():
            points.delete((account, point["Region"]), point["Name"])
            aliases.delete(_GLOBAL, point["Alias"])
        return {}

    # -- the access point policy ---------------------------------------------------------------

    def PutAccessPointPolicy(self, ctx: RequestContext, p: Params) -> Params:
        account, point = self._existing(ctx, p)
        text = p.get("Policy")
        document = check_access_point_policy(text, point["Arn"])
        if is_public(document) and self.access_point_block(point)["BlockPublicPolicy"]:
            raise ServiceError(
                "AccessDenied",
                f"User: {ctx.principal.arn} is not authorized to perform: s3:PutAccessPointPolicy on resource: "
                f'"{point["Arn"]}" because public policies are blocked by the BlockPublicPolicy block public '
                "access setting.",
                status=403,
            )
        self._update(account, point, Policy=text)
        return {}

    def GetAccessPointPolicy(self, ctx: RequestContext, p: Params) -> Params:
        _, point = self._existing(ctx, p)
        return {"Policy": self._policy_of(point)}

    def DeleteAccessPointPolicy(self, ctx: RequestContext, p: Params) -> Params:
        account, point = self._existing(ctx, p)
        if point.get("Policy") is not None:
            self._update(account, point, Policy=None)
        return {}

    def GetAccessPointPolicyStatus(self, ctx: RequestContext, p: Params) -> Params:
        _, point = self._existing(ctx, p)
        return {"PolicyStatus": {"IsPublic": is_public(json.loads(self._policy_of(point)))}}

    @staticmethod
    def _policy_of(point: Params) -> str:
        text = point.get("Policy")
        if text is None:
            raise ServiceError(
                "NoSuchAccessPointPolicy",
                "The specified accesspoint policy does not exist",
                status=404,
                AccessPointName=point["Name"],
            )
        return str(text)

    def _update(self, account: str, point: Params, **changes: Any) -> None:
        points, _ = self._access_point_collections()
        scope = (account, point["Region"])
        with self.runtime.store.transaction():
            doc = points.get(scope, point["Name"])
            if doc is None:
                raise no_such_access_point(point["Name"])
            for field, value in changes.items():
                if value is None:
                    doc.pop(field, None)
                else:
                    doc[field] = value
            points.put(scope, point["Name"], doc)
