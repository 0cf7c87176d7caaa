"""The IAM provider: users, groups, roles, managed and inline policies, access keys,
instance profiles, OIDC and SAML identity providers — and, for the rest of pocketcloud,
who an IAM access key belongs to and which policies apply to a principal.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pocketcloud.auth.principal import Credential, Principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.actions import iam_entity
from pocketcloud.iam.context_keys import resource_tag_values
from pocketcloud.protocol.models import operation_model
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.iam.access_recorder import AccessRecorder
from pocketcloud.services.iam.account import AccountOperations
from pocketcloud.services.iam.common import encode_document, new_id, now, scope
from pocketcloud.services.iam.credential_report import CredentialReportOperations
from pocketcloud.services.iam.groups import GroupOperations
from pocketcloud.services.iam.key_last_used import KeyUseRecorder
from pocketcloud.services.iam.last_accessed import LastAccessedOperations
from pocketcloud.services.iam.mfa import MfaOperations
from pocketcloud.services.iam.oidc import OidcOperations
from pocketcloud.services.iam.outbound_federation import OutboundFederationOperations
from pocketcloud.services.iam.passwords import PasswordOperations
from pocketcloud.services.iam.policies import PolicyOperations, policy_view
from pocketcloud.services.iam.policy_store import PolicyStore
from pocketcloud.services.iam.principals import GROUP, ROLE, USER, Principals, page_list, public_view
from pocketcloud.services.iam.roles import RoleOperations, role_view
from pocketcloud.services.iam.root_access import RootAccessOperations
from pocketcloud.services.iam.saml import SamlOperations
from pocketcloud.services.iam.server_certificates import ServerCertificateOperations
from pocketcloud.services.iam.service_linked_roles import ServiceLinkedRoleOperations
from pocketcloud.services.iam.simulator import SimulatorOperations
from pocketcloud.services.iam.trust_principals import named_principals
from pocketcloud.services.iam.user_credentials import UserCredentialOperations
from pocketcloud.services.iam.users import UserOperations

Params = dict[str, Any]


# What the root user may do, for the identity side of a federated user it made: everything.
_ROOT_FEDERATION = (
    "root#federation",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
)


@dataclass(frozen=True)
class IdentityPolicies:
    """The policies that decide what a principal may do, as (id, document) pairs."""

    identity: tuple[tuple[str, str], ...]
    boundary: str | None = None


class IamProvider(
    UserOperations,
    GroupOperations,
    RoleOperations,
    PolicyOperations,
    SimulatorOperations,
    AccountOperations,
    OidcOperations,
    SamlOperations,
    ServiceLinkedRoleOperations,
    ServerCertificateOperations,
    UserCredentialOperations,
    MfaOperations,
    CredentialReportOperations,
    PasswordOperations,
    LastAccessedOperations,
    RootAccessOperations,
    OutboundFederationOperations,
    Provider,
):
    service = "iam"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.policies = PolicyStore(runtime.store)
        self.principals = Principals(runtime.store, self.policies)
        self._credential_cache: dict[str, Credential | None] = {}
        self._policy_cache: dict[str, IdentityPolicies] = {}
        self._arn_cache: dict[str, list[str] | None] = {}
        # condition_values of a user, role or instance profile: read on every call an IAM user makes
        # on itself (GetUser, CreateAccessKey, ...), emptied with _arn_cache on any IAM write.
        self._tag_cache: dict[str, Params] = {}
        self.recorder = AccessRecorder(runtime.store)
        self.key_uses = KeyUseRecorder(runtime.store)
        runtime.credentials.register(self.credential_for_access_key)
        runtime.observers.append(self._after_call)

    async def stop(self) -> None:
        self.recorder.flush()
        self.key_uses.flush()

    def _after_call(self, ctx: RequestContext | None, operation: str, error: Any) -> None:
        if ctx is None:  # unauthenticated: AWS does not report it as an access
            return
        self.recorder.record(ctx, operation)
        self.key_uses.record(ctx)
        # Every IAM write may change who a key is or what a principal may do.
        if ctx.service == "iam" and error is None and not operation.startswith(("Get", "List", "Simulate")):
            self._credential_cache.clear()
            self._policy_cache.clear()
            self._arn_cache.clear()
            self._tag_cache.clear()

    # -- for authentication -------------------------------------------------

    def credential_for_access_key(self, access_key_id: str) -> Credential | None:
        if not access_key_id.startswith("AKIA"):
            return None
        if access_key_id in self._credential_cache:
            return self._credential_cache[access_key_id]
        credential = self._load_credential(access_key_id)
        self._credential_cache[access_key_id] = credential
        return credential

    def _load_credential(self, access_key_id: str) -> Credential | None:
        entry = self.key_index.get(("", ""), access_key_id)
        if entry is None:
            return None
        where = (entry["Account"], "")
        key = self.store.collection("iam", "access_keys").get(where, f"{entry['UserName']}\0{access_key_id}")
        user = self.store.collection("iam", USER.collection).get(where, entry["UserName"])
        if key is None or user is None:
            return None
        principal = user_principal(entry["Account"], user, access_key_id)
        return Credential(access_key_id, key["SecretAccessKey"], principal, active=key["Status"] == "Active")

    # -- for authorization ----------------------------------------------------

    def resource_arns(self, ctx: RequestContext, operation: str, params: Params) -> list[str] | None:
        """The ARN IAM authorizes an operation on, where the parameters alone cannot tell: an
        existing entity's ARN carries its path, and an operation that leaves out its optional
        UserName acts on the calling user."""
        entity = iam_entity(operation, params)
        if entity is None:
            return [ctx.principal.arn] if _acts_on_caller(ctx, operation) else None
        kind, name = entity
        key = f"{ctx.account_id}\0{kind}\0{name}"
        if key not in self._arn_cache:
            doc = self.store.collection("iam", _COLLECTIONS[kind]).get(scope(ctx), name)
            self._arn_cache[key] = [doc["Arn"]] if doc is not None else None
        return self._arn_cache[key]

    def condition_values(self, ctx: RequestContext, operation: str, params: Params) -> Params:
        """The tags of the IAM resource a call acts on, as aws:ResourceTag/<key>: users, roles,
        instance profiles, customer managed policies, OIDC and SAML providers, server certificates
        and virtual MFA devices (groups have no tags); iam:ResourceTag/<key> too for users and roles
        only (Service Authorization Reference, IAM, "Resource types")."""
        entity = iam_entity(operation, params)
        if entity is None and _acts_on_caller(ctx, operation):
            # The calling user is the resource (as in resource_arns): a deny on its tags must hold
            # whether or not the call names it.
            entity = ("user", ctx.principal.name or "")
        if entity is None:
            return resource_tag_values(self._named_resource_tags(ctx, params))
        kind, name = entity
        if kind == "group":
            return {}
        key = f"{ctx.account_id}\0{kind}\0{name}"
        values = self._tag_cache.get(key)
        if values is None:
            doc = self.store.collection("iam", _COLLECTIONS[kind]).get(scope(ctx), name)
            prefixes = ("aws", "iam") if kind in ("user", "role") else ("aws",)
            values = self._tag_cache[key] = resource_tag_values((doc or {}).get("Tags"), prefixes)
        return values

    def _named_resource_tags(self, ctx: RequestContext, params: Params) -> list[dict[str, str]] | None:
        """The tags of the policy, identity provider, server certificate or MFA device a call that
        names no user, role, group or instance profile acts on (None if it names none that exists)."""
        doc: dict[str, Any] | None = None
        if isinstance(params.get("PolicyArn"), str):
            doc = self.policies.find(ctx, params["PolicyArn"])
        elif isinstance(params.get("ServerCertificateName"), str):
            certificates = self.store.collection("iam", "server_certificates")
            doc = certificates.get(scope(ctx), params["ServerCertificateName"])
        else:
            for member, kind, collection in _TAGGED_BY_ARN:
                arn = params.get(member)
                prefix = f"arn:aws:iam::{ctx.account_id}:{kind}/"
                if isinstance(arn, str) and arn.startswith(prefix):
                    # An MFA device is stored under its name, but its serial number names its path too.
                    key = arn.rsplit("/", 1)[-1] if kind == "mfa" else arn[len(prefix) :]
                    doc = self.store.collection("iam", collection).get(scope(ctx), key)
                    doc = doc if doc is not None and doc.get("Arn", doc.get("SerialNumber")) == arn else None
                    break
        return (doc or {}).get("Tags")

    def identity_policies(self, principal: Principal) -> IdentityPolicies:
        """Identity policies of a user (its own and its groups'), of a role session's role, or of the
        user behind a federated user."""
        # Two users may federate under one name: a federated user is known by the user behind it too.
        cache_key = (
            principal.arn if principal.kind != "FederatedUser" else f"{principal.arn}\0{principal.role_arn}"
        )
        cached = self._policy_cache.get(cache_key)
        if cached is not None:
            return cached
        if principal.kind == "FederatedUser" and (principal.role_arn or "").endswith(":root"):
            # Federated by the root user, whose permissions are all there are: the session policy alone
            # bounds the federated user (root "can call GetFederationToken", the STS API reference).
            self._policy_cache[cache_key] = IdentityPolicies((_ROOT_FEDERATION,), None)
            return self._policy_cache[cache_key]
        account = principal.account_id
        where = (account, "")
        docs: list[tuple[str, dict[str, Any]]] = []
        if principal.kind in ("User", "FederatedUser"):
            # A federated user (GetFederationToken) is limited by the policies of the user it came from.
            name = (
                principal.name if principal.kind == "User" else (principal.role_arn or "").rsplit("/", 1)[-1]
            )
            user = self.store.collection("iam", USER.collection).get(where, name)
            if user is not None:
                docs.append((user["Arn"], user))
                for group_name in user.get("Groups", []):
                    group = self.store.collection("iam", GROUP.collection).get(where, group_name)
                    if group is not None:
                        docs.append((group["Arn"], group))
        elif principal.kind == "AssumedRole" and principal.role_arn:
            role = self.store.collection("iam", ROLE.collection).get(
                where, principal.role_arn.rsplit("/", 1)[-1]
            )
            if role is not None:
                docs.append((role["Arn"], role))
        result = self.policies_of(account, docs)
        if principal.kind == "User" and self._users_may_change_password(account):
            result = IdentityPolicies((*result.identity, _CHANGE_OWN_PASSWORD), result.boundary)
        self._policy_cache[cache_key] = result
        return result

    def _users_may_change_password(self, account: str) -> bool:
        policy = self.store.collection("iam", "account_settings").get((account, ""), "password_policy")
        return bool(policy and policy.get("AllowUsersToChangePassword"))

    def policies_of(self, account: str, docs: list[tuple[str, dict[str, Any]]]) -> IdentityPolicies:
        """The inline and attached policies of users, groups or roles (the first one's boundary)."""
        identity: list[tuple[str, str]] = []
        for owner, doc in docs:
            for name, document in doc.get("InlinePolicies", {}).items():
                identity.append((f"{owner}#{name}", document))
            for policy_arn in doc.get("AttachedPolicies", []):
                document = self.policies.default_document(account, policy_arn)
                if document is not None:
                    identity.append((policy_arn, document))
        boundary = None
        if docs and docs[0][1].get("PermissionsBoundary"):
            boundary = self.policies.default_document(
                account, docs[0][1]["PermissionsBoundary"]["PermissionsBoundaryArn"]
            )
        return IdentityPolicies(tuple(identity), boundary)

    def create_role_in_account(
        self, account: str, name: str, trust: str, policy_arn: str | None = None
    ) -> None:
        """A role made by another service (Organizations' OrganizationAccountAccessRole)."""
        doc: dict[str, Any] = {
            "Path": "/",
            "RoleName": name,
            "RoleId": new_id("AROA"),
            "Arn": f"arn:aws:iam::{account}:role/{name}",
            "CreateDate": now().isoformat(),
            "AssumeRolePolicyDocument": trust,
            "MaxSessionDuration": 3600,
            "RoleLastUsed": {},
            "AttachedPolicies": [policy_arn] if policy_arn else [],
        }
        self.store.collection("iam", ROLE.collection).put((account, ""), name, doc)
        self._policy_cache.clear()
        self._arn_cache.clear()
        self._tag_cache.clear()

    def role(self, account: str, role_name: str) -> dict[str, Any] | None:
        return self.store.collection("iam", ROLE.collection).get((account, ""), role_name)

    def missing_principal(self, policy: Any) -> str | None:
        """The first user or role ARN a parsed policy names as a principal that does not exist (or
        not at that path), in an account this server has; None when all do. AWS refuses to store such
        a policy, each service in its own words ("Invalid principal in policy" from IAM and S3, "one or
        more invalid principals" from KMS). Of an account this server does not have it knows nothing."""
        accounts = self.runtime.credentials.root_accounts()
        for entry, account, kind, name in named_principals(policy):
            if account in accounts:
                collection = (USER if kind == "user" else ROLE).collection
                found = self.store.collection("iam", collection).get((account, ""), name)
                if found is None or found["Arn"] != entry:
                    return entry
        return None

    # -- account-wide views -----------------------------------------------

    def GetAccountAuthorizationDetails(self, ctx: RequestContext, p: Params) -> Params:
        wanted = set(p.get("Filter") or ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"])
        result: Params = {"UserDetailList": [], "GroupDetailList": [], "RoleDetailList": [], "Policies": []}
        store = self.store

        def inline(doc: dict[str, Any]) -> list[dict[str, str]]:
            return [
                {"PolicyName": n, "PolicyDocument": encode_document(d)}
                for n, d in doc.get("InlinePolicies", {}).items()
            ]

        def attached(doc: dict[str, Any]) -> list[dict[str, str]]:
            return [
                {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in doc.get("AttachedPolicies", [])
            ]

        if "User" in wanted:
            for _, u in store.iter_collection("iam", USER.collection, scope(ctx)):
                # AWS always answers with a user's tags here, and with its inline policies only
                # when it has some (as recorded).
                detail = {
                    **public_view(u),
                    "GroupList": u.get("Groups", []),
                    "AttachedManagedPolicies": attached(u),
                    "Tags": u.get("Tags", []),
                }
                if u.get("InlinePolicies"):
                    detail["UserPolicyList"] = inline(u)
                result["UserDetailList"].append(detail)
        if "Group" in wanted:
            for _, g in store.iter_collection("iam", GROUP.collection, scope(ctx)):
                result["GroupDetailList"].append(
                    {**public_view(g), "GroupPolicyList": inline(g), "AttachedManagedPolicies": attached(g)}
                )
        if "Role" in wanted:
            for _, r in store.iter_collection("iam", ROLE.collection, scope(ctx)):
                profiles = self._profiles_with_role(ctx, r["RoleName"])
                result["RoleDetailList"].append(
                    {
                        **role_view(r, ("MaxSessionDuration",)),  # as AWS lists a role here
                        "RoleLastUsed": self._role_last_used(ctx.account_id, r["Arn"]),
                        "RolePolicyList": inline(r),
                        "AttachedManagedPolicies": attached(r),
                        "InstanceProfileList": [self._profile_view(ctx, ip) for ip in profiles],
                        "Tags": r.get("Tags", []),
                    }
                )
        if "LocalManagedPolicy" in wanted:
            for _, pol in store.iter_collection("iam", "policies", scope(ctx)):
                versions = [
                    {
                        "Document": encode_document(v["Document"]),
                        "VersionId": vid,
                        "IsDefaultVersion": vid == pol["DefaultVersionId"],
                        "CreateDate": v["CreateDate"],
                    }
                    # Newest first, as AWS lists a policy's versions.
                    for vid, v in sorted(pol["Versions"].items(), key=lambda item: -int(item[0][1:]))
                ]
                result["Policies"].append({**policy_view(pol), "PolicyVersionList": versions})
        if "AWSManagedPolicy" in wanted:
            # AWS lists only the AWS managed policies in use in the account.
            for key, usage in store.collection("iam", "aws_policy_usage").scan(scope(ctx)):
                if usage.get("AttachmentCount", 0) > 0:
                    found = self.policies.find(ctx, key)
                    if found is not None:
                        pol = found
                        document = self.policies.default_document(ctx.account_id, key) or "{}"
                        result["Policies"].append(
                            {
                                **policy_view(pol),
                                "PolicyVersionList": [
                                    {
                                        "Document": encode_document(document),
                                        "VersionId": pol["DefaultVersionId"],
                                        "IsDefaultVersion": True,
                                        "CreateDate": pol.get("UpdateDate") or pol.get("CreateDate"),
                                    }
                                ],
                            }
                        )
        # MaxItems (100 by default) counts the users, groups, roles and policies together; a page
        # sorts its share back into the four lists.
        entries = [(member, item) for member, items in result.items() for item in items]
        page = page_list(entries, p, "Entries")
        details: Params = {member: [] for member in result}
        for member, item in page.pop("Entries"):
            details[member].append(item)
        return {**details, **page}

    def GetAccountSummary(self, ctx: RequestContext, p: Params) -> Params:
        count = lambda name: self.store.collection("iam", name).count(scope(ctx))  # noqa: E731
        # A policy version is in use while its policy is attached to something.
        in_use = sum(
            1
            for _, d in self.store.iter_collection("iam", "policies", scope(ctx))
            if d.get("AttachmentCount")
        )
        in_use += sum(
            1
            for _, d in self.store.collection("iam", "aws_policy_usage").scan(scope(ctx))
            if d.get("AttachmentCount")
        )
        return {
            "SummaryMap": {
                "Users": count("users"),
                "Groups": count("groups"),
                "Roles": count("roles"),
                "Policies": count("policies"),
                "InstanceProfiles": count("instance_profiles"),
                "PolicyVersionsInUse": in_use,
                "MFADevices": count("mfa_devices"),
                "MFADevicesInUse": sum(
                    1
                    for _, d in self.store.iter_collection("iam", "mfa_devices", scope(ctx))
                    if d.get("UserName")
                ),
                "Providers": count("oidc_providers") + count("saml_providers"),
                "ServerCertificates": count("server_certificates"),
                "AccountMFAEnabled": 0,
                "AccountAccessKeysPresent": 0,
                "AccountPasswordPresent": 0,
                "AccountSigningCertificatesPresent": 0,
                "GlobalEndpointTokenVersion": self.global_endpoint_token_version(ctx),
                "UsersQuota": 5000,
                "GroupsQuota": 300,
                "RolesQuota": 1000,
                "PoliciesQuota": 1500,
                "InstanceProfilesQuota": 1000,
                "ServerCertificatesQuota": 20,
                "GroupsPerUserQuota": 10,
                "AccessKeysPerUserQuota": 2,
                "SigningCertificatesPerUserQuota": 2,
                "AttachedPoliciesPerUserQuota": 10,
                "AttachedPoliciesPerRoleQuota": 10,
                "AttachedPoliciesPerGroupQuota": 10,
                "PolicyVersionsInUseQuota": 10000,
                "VersionsPerPolicyQuota": 5,
                "PolicySizeQuota": 6144,
                "UserPolicySizeQuota": 2048,
                "GroupPolicySizeQuota": 5120,
                "RolePolicySizeQuota": 10240,
                "AssumeRolePolicySizeQuota": 2048,
            }
        }


# Operations that name no user and act on the calling one.
_ACTS_ON_CALLER = frozenset({"ChangePassword"})
# The account password policy's AllowUsersToChangePassword "grants all users permission to
# iam:ChangePassword for their own user" (IAM User Guide), as if each had this policy.
_CHANGE_OWN_PASSWORD = (
    "AllowUsersToChangePassword",
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ChangePassword",'
    '"Resource":["arn:aws:iam::*:user/${aws:username}","arn:aws:iam::*:user/*/${aws:username}"]}]}',
)

_COLLECTIONS = {
    "user": USER.collection,
    "role": ROLE.collection,
    "group": GROUP.collection,
    "instance-profile": "instance_profiles",
}


# Members that name a tagged IAM resource by ARN (a virtual MFA device's serial number is its ARN):
# (member, resource type, collection).
_TAGGED_BY_ARN = (
    ("OpenIDConnectProviderArn", "oidc-provider", "oidc_providers"),
    ("SAMLProviderArn", "saml-provider", "saml_providers"),
    ("SerialNumber", "mfa", "mfa_devices"),
)


def _acts_on_caller(ctx: RequestContext, operation: str) -> bool:
    """Whether a call that names no user acts on the calling IAM user (its UserName left out)."""
    return ctx.principal.kind == "User" and (operation in _ACTS_ON_CALLER or _takes_optional_user_name(operation))


@cache
def _takes_optional_user_name(operation: str) -> bool:
    shape = operation_model("iam", operation).input_shape
    return shape is not None and "UserName" in shape.members and "UserName" not in shape.required_members


def user_principal(account: str, user: dict[str, Any], access_key_id: str | None = None) -> Principal:
    return Principal(
        account_id=account,
        arn=user["Arn"],
        user_id=user["UserId"],
        kind="User",
        name=user["UserName"],
        access_key_id=access_key_id,
        tags=tuple((t["Key"], t["Value"]) for t in user.get("Tags", [])),
    )
