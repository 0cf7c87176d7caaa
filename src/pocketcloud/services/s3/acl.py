"""Access control lists: the legacy S3 permission model, as data.

An ACL is stored as `{"Owner": <account id>, "Grants": [{"Grantee": {...}, "Permission": ...}]}`
with grantees as S3 names them: a canonical user (`{"Type": "CanonicalUser", "ID": ...}`) or a
group (`{"Type": "Group", "URI": ...}`). This module turns what a request says (a canned ACL, the
`x-amz-grant-*` headers or an AccessControlPolicy document) into that form, renders it back for
GetBucketAcl/GetObjectAcl, says whether it is public, and translates it into resource-policy
statements the IAM engine evaluates next to the bucket policy ("Access control list (ACL)
overview": which actions each permission allows). Whether ACLs apply at all (Object Ownership,
Block Public Access) is `access.py`'s business.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.s3.state import canonical_user_id, owner

Acl = dict[str, Any]
Grant = dict[str, Any]
AccountOf = Callable[[str], str | None]  # canonical user id → account id

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
PUBLIC_GROUPS = frozenset((ALL_USERS, AUTHENTICATED_USERS))
PERMISSIONS = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")

BUCKET_CANNED = (
    "private",
    "public-read",
    "public-read-write",
    "aws-exec-read",  # "Applies to: Bucket and object" in S3's canned ACL table
    "authenticated-read",
    "log-delivery-write",
)
OBJECT_CANNED = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
)

# Grant header member → the permission it grants.
GRANT_MEMBERS = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}

# What each permission allows, on a bucket and on an object (S3 User Guide, "ACL permissions
# and access policy permissions"). A bucket's WRITE is about the objects in it.
_BUCKET_ACTIONS = {
    "READ": ("s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"),
    "WRITE": ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:AbortMultipartUpload"),
    "READ_ACP": ("s3:GetBucketAcl",),
    "WRITE_ACP": ("s3:PutBucketAcl",),
}
_OBJECT_ACTIONS = {
    "READ": ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTorrent", "s3:ListMultipartUploadParts"),
    "READ_ACP": ("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "WRITE_ACP": ("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
}

_HEADER_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*("([^"]*)"|[^,\s]*)\s*(,|$)', re.IGNORECASE)


# --- building ACLs ------------------------------------------------------------------------------


def _user(account: str) -> Grant:
    return {"Type": "CanonicalUser", "ID": canonical_user_id(account)}


def _group(uri: str) -> Grant:
    return {"Type": "Group", "URI": uri}


def canned_acl(canned: str, owner_account: str, bucket_owner: str | None = None) -> Acl:
    """The grants of a canned ACL, for a resource owned by `owner_account`."""
    grants: list[Grant] = [{"Grantee": _user(owner_account), "Permission": "FULL_CONTROL"}]
    if canned in ("public-read", "public-read-write"):
        grants.append({"Grantee": _group(ALL_USERS), "Permission": "READ"})
    if canned == "public-read-write":
        grants.append({"Grantee": _group(ALL_USERS), "Permission": "WRITE"})
    if canned == "authenticated-read":
        grants.append({"Grantee": _group(AUTHENTICATED_USERS), "Permission": "READ"})
    if canned == "log-delivery-write":
        grants.append({"Grantee": _group(LOG_DELIVERY), "Permission": "WRITE"})
        grants.append({"Grantee": _group(LOG_DELIVERY), "Permission": "READ_ACP"})
    if (
        canned in ("bucket-owner-read", "bucket-owner-full-control")
        and bucket_owner
        and bucket_owner != owner_account
    ):
        permission = "READ" if canned == "bucket-owner-read" else "FULL_CONTROL"
        grants.append({"Grantee": _user(bucket_owner), "Permission": permission})
    return {"Owner": owner_account, "Grants": grants}


def check_canned(canned: str, for_object: bool) -> None:
    if canned not in (OBJECT_CANNED if for_object else BUCKET_CANNED):
        raise ServiceError("InvalidArgument", "", status=400, ArgumentName="x-amz-acl", ArgumentValue=canned)


def has_grant_headers(p: dict[str, Any]) -> bool:
    return any(p.get(member) for member in GRANT_MEMBERS)


def acl_from_headers(p: dict[str, Any], owner_account: str, account_of: AccountOf) -> Acl:
    """An ACL from the `x-amz-grant-*` headers (`id="..."`, `uri="..."`, `emailAddress="..."`)."""
    grants: list[Grant] = []
    for member, permission in GRANT_MEMBERS.items():
        value = p.get(member)
        if not value:
            continue
        pos = 0
        while pos < len(value):
            match = _HEADER_GRANTEE.match(value, pos)
            if match is None or match.end() == pos:
                raise ServiceError(
                    "InvalidArgument",
                    "Argument format not recognized",
                    status=400,
                    ArgumentName=_header_name(member),
                    ArgumentValue=value,
                )
            kind, raw = (
                match.group(1).lower(),
                match.group(3) if match.group(3) is not None else match.group(2),
            )
            grantee = {
                "id": {"Type": "CanonicalUser", "ID": raw},
                "uri": {"Type": "Group", "URI": raw},
                "emailaddress": {"Type": "AmazonCustomerByEmail", "EmailAddress": raw},
            }[kind]
            grants.append({"Grantee": grantee, "Permission": permission})
            pos = match.end()
    # A header names the grantee by `id=` or `uri=`, and S3's errors name it that way too.
    return {"Owner": owner_account, "Grants": [check_grant(g, account_of, header=True) for g in grants]}


def _header_name(member: str) -> str:
    return (
        "x-amz-grant-"
        + {
            "GrantFullControl": "full-control",
            "GrantRead": "read",
            "GrantReadACP": "read-acp",
            "GrantWrite": "write",
            "GrantWriteACP": "write-acp",
        }[member]
    )


def acl_from_document(document: dict[str, Any], owner_account: str, account_of: AccountOf) -> Acl:
    """An ACL from an AccessControlPolicy body; the owner it names must be the resource's owner."""
    named_owner = (document.get("Owner") or {}).get("ID")
    if not named_owner:
        raise malformed_acl()
    if account_of(named_owner) is None:  # no canonical user ID at all
        raise ServiceError(
            "InvalidArgument",
            "Invalid id",
            status=400,
            ArgumentName="CanonicalUser/ID",
            ArgumentValue=named_owner,
        )
    if named_owner != canonical_user_id(owner_account):
        raise ServiceError("AccessDenied", "Access Denied", status=403)
    grants = []
    for grant in document.get("Grants") or []:
        if grant.get("Permission") not in PERMISSIONS or not isinstance(grant.get("Grantee"), dict):
            raise malformed_acl()
        grants.append(check_grant(grant, account_of))
    return {"Owner": owner_account, "Grants": grants}


def check_grant(grant: Grant, account_of: AccountOf, header: bool = False) -> Grant:
    """A grant with a grantee S3 can resolve, in its stored form (`header`: named in an x-amz-grant-* header)."""
    grantee = grant["Grantee"]
    kind = grantee.get("Type")
    permission = grant["Permission"]
    if kind == "CanonicalUser" or (kind is None and grantee.get("ID")):
        user_id = str(grantee.get("ID") or "")
        if account_of(user_id) is None:
            raise ServiceError(
                "InvalidArgument",
                "Invalid id",
                status=400,
                ArgumentName="id" if header else "CanonicalUser/ID",
                ArgumentValue=user_id,
            )
        return {"Grantee": {"Type": "CanonicalUser", "ID": user_id}, "Permission": permission}
    if kind == "Group" or (kind is None and grantee.get("URI")):
        uri = str(grantee.get("URI") or "")
        if uri not in (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY):
            raise ServiceError(
                "InvalidArgument",
                "Invalid group uri",
                status=400,
                ArgumentName="uri" if header else "Group/URI",
                ArgumentValue=uri,
            )
        return {"Grantee": {"Type": "Group", "URI": uri}, "Permission": permission}
    if kind == "AmazonCustomerByEmail" or grantee.get("EmailAddress"):
        # No account here has an e-mail address S3 could look up.
        raise ServiceError(
            "UnresolvableGrantByEmailAddress",
            "The e-mail address you provided does not match any account on record.",
            status=400,
            EmailAddress=str(grantee.get("EmailAddress") or ""),
        )
    raise malformed_acl()


def malformed_acl() -> ServiceError:
    return ServiceError(
        "MalformedACLError",
        "The XML you provided was not well-formed or did not validate against our published schema",
        status=400,
    )


# --- reading ACLs -------------------------------------------------------------------------------


def render(acl: Acl) -> dict[str, Any]:
    """GetBucketAcl/GetObjectAcl's output: Owner and Grants, canonical users by ID alone (S3 no
    longer returns DisplayName; see `owner`)."""
    grants = []
    for grant in acl["Grants"]:
        grants.append({"Grantee": dict(grant["Grantee"]), "Permission": grant["Permission"]})
    return {"Owner": owner(acl["Owner"]), "Grants": grants}


def is_public(acl: Acl | None) -> bool:
    return acl is not None and any(g["Grantee"].get("URI") in PUBLIC_GROUPS for g in acl["Grants"])


def only_owner_full_control(acl: Acl, bucket_owner: str) -> bool:
    """What a bucket with ACLs disabled still accepts: full control for the bucket owner, nothing else."""
    wanted = canonical_user_id(bucket_owner)
    # An empty grant list takes the owner's full control away: not the equivalent AWS still accepts.
    return bool(acl["Grants"]) and all(
        g["Grantee"].get("ID") == wanted and g["Permission"] == "FULL_CONTROL" for g in acl["Grants"]
    )


def statements(
    acl: Acl, bucket: str, for_object: bool, skip_account: str, ignore_public: bool, account_of: AccountOf
) -> list[dict[str, Any]]:
    """Resource-policy statements equivalent to the ACL's grants.

    Grants to `skip_account` (the bucket owner, who needs none) are left out, and so are
    public ones when `ignore_public` (IgnorePublicAcls). An object ACL's statements are
    only ever evaluated for a request on that object, so they name every object of the
    bucket, which keeps keys with policy wildcards or variables out of the document.
    """
    table = _OBJECT_ACTIONS if for_object else _BUCKET_ACTIONS
    out: list[dict[str, Any]] = []
    skip_id = canonical_user_id(skip_account)
    for grant in acl["Grants"]:
        grantee = grant["Grantee"]
        permission = grant["Permission"]
        actions: list[str] = []
        for name in table if permission == "FULL_CONTROL" else (permission,):
            actions.extend(table.get(name, ()))
        if not actions:
            continue
        statement: dict[str, Any] = {"Effect": "Allow", "Action": actions}
        uri = grantee.get("URI")
        if uri in PUBLIC_GROUPS:
            if ignore_public:
                continue
            statement["Principal"] = "*"
            if uri == AUTHENTICATED_USERS:
                statement["Condition"] = {"StringNotEquals": {"aws:PrincipalType": "Anonymous"}}
        elif uri == LOG_DELIVERY:
            statement["Principal"] = {"Service": "logging.s3.amazonaws.com"}
        elif grantee.get("ID"):
            if grantee["ID"] == skip_id:
                continue
            account = account_of(grantee["ID"])
            if account is None:
                continue
            statement["Principal"] = {"AWS": account}
        else:
            continue
        objects = f"arn:aws:s3:::{bucket}/*"
        if for_object:
            statement["Resource"] = objects
        elif permission in ("WRITE", "FULL_CONTROL"):
            statement["Resource"] = [f"arn:aws:s3:::{bucket}", objects]
        else:
            statement["Resource"] = f"arn:aws:s3:::{bucket}"
        out.append(statement)
    return out
