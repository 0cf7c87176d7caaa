"""IAM roles (with their trust policies) and instance profiles."""

from __future__ import annotations

import json
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.arn import glob_matches
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.iam.access_recorder import AccessRecorder
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    check_policy_document,
    delete_conflict,
    encode_document,
    limit_exceeded,
    malformed_policy,
    merge_tags,
    name_taken,
    new_id,
    no_such_entity,
    now,
    page,
    path_filter,
    remove_tags,
    scope,
)
from pocketcloud.services.iam.policy_quotas import check_trust_policy_size
from pocketcloud.services.iam.principals import (
    ROLE,
    Principals,
    list_tags,
    page_list,
    public_view,
    refuse_if_service_linked,
    shared_operations,
)
from pocketcloud.services.iam.trust_principals import unnamed_principal

Params = dict[str, Any]


# The actions a trust policy may name; anything else, even another sts: action, is refused.
_TRUST_ACTIONS = (
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
)


def _is_trust_action(action: str) -> bool:
    """Whether `action` (wildcards allowed, case-insensitive) names at least one trust action."""
    return any(glob_matches(action, known, ignore_case=True) for known in _TRUST_ACTIONS)


def role_view(doc: dict[str, Any], leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    view = {k: v for k, v in public_view(doc).items() if k not in leave_out}
    view["AssumeRolePolicyDocument"] = encode_document(doc["AssumeRolePolicyDocument"])
    return view


# What AWS leaves out of a role in each answer (GetRole has everything).
CREATED_VIEW = ("MaxSessionDuration", "RoleLastUsed", "Description")  # CreateRole
UPDATED_VIEW = ("MaxSessionDuration", "RoleLastUsed")  # UpdateRoleDescription
LISTED_VIEW = ("RoleLastUsed", "Tags", "PermissionsBoundary")  # ListRoles
PROFILE_ROLE_VIEW = (
    "Description",
    "MaxSessionDuration",
    "RoleLastUsed",
    "Tags",
    "PermissionsBoundary",
)  # in an instance profile


def account_principals_as_arns(document: str) -> str:
    """The trust policy as IAM keeps it: an account named by its id alone ("AWS": "123456789012") is
    saved as its root ARN ("arn:aws:iam::123456789012:root"), which GetRole then answers (the two
    mean the same principal; CloudFormation's drift detection reports the rewrite). A policy naming
    no account by id is kept as it was written."""
    policy = json.loads(document)
    statements = policy.get("Statement")
    changed = False
    for statement in statements if isinstance(statements, list) else [statements]:
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element) if isinstance(statement, dict) else None
            if not isinstance(principal, dict) or "AWS" not in principal:
                continue
            named = principal["AWS"]
            values = named if isinstance(named, list) else [named]
            rewritten = [f"arn:aws:iam::{v}:root" if is_digits(v, 12) and len(v) == 12 else v for v in values]
            if rewritten != values:
                principal["AWS"] = rewritten if isinstance(named, list) else rewritten[0]
                changed = True
    return json.dumps(policy) if changed else document


class RoleOperations(shared_operations(ROLE, "Role")):  # type: ignore[misc]
    principals: Principals
    recorder: AccessRecorder

    def _check_trust(self, ctx: RequestContext, document: str) -> str:
        """A valid trust policy whose users and roles of this account exist, as IAM requires."""
        try:
            json.loads(document)
        except (ValueError, RecursionError):  # RecursionError: nested too deep for json
            raise malformed_policy("This policy contains invalid Json") from None  # CreateRole's own wording
        check_policy_document(document, kind="trust")
        statements = json.loads(document)["Statement"]
        for statement in statements if isinstance(statements, list) else [statements]:
            actions = statement.get("Action", [])
            for action in actions if isinstance(actions, list) else [actions]:
                if not _is_trust_action(str(action)):
                    raise malformed_policy("AssumeRole policy may only specify STS AssumeRole actions.")
        policy = json.loads(document)
        missing = unnamed_principal(policy) or self.missing_principal(policy)
        if missing is not None:
            raise malformed_policy(f'Invalid principal in policy: "AWS":"{missing}"')
        check_trust_policy_size(document)
        return account_principals_as_arns(document)

    def CreateRole(self, ctx: RequestContext, p: Params) -> Params:
        name = p["RoleName"]
        path = check_path(p.get("Path"))
        trust = self._check_trust(ctx, p["AssumeRolePolicyDocument"])
        doc: dict[str, Any] = {
            "Path": path,
            "RoleName": name,
            "RoleId": new_id("AROA"),
            "Arn": arn(ctx.account_id, "role", path, name),
            "CreateDate": now().isoformat(),
            "AssumeRolePolicyDocument": trust,
            "MaxSessionDuration": p.get("MaxSessionDuration") or 3600,
            "RoleLastUsed": {},
        }
        if p.get("Description") is not None:
            doc["Description"] = p["Description"]
        if p.get("Tags"):
            doc["Tags"] = merge_tags([], p["Tags"])
        with self.principals.store.transaction():
            roles = self.principals.collection(ROLE)
            if name_taken(roles, scope(ctx), name) or not roles.insert(scope(ctx), name, doc):
                raise already_exists(f"Role with name {name} already exists.")
            if p.get("PermissionsBoundary"):
                self.principals.apply_boundary(ctx, doc, p["PermissionsBoundary"])
                self.principals.save(ctx, ROLE, doc)
        return {"Role": role_view(doc, CREATED_VIEW)}

    def GetRole(self, ctx: RequestContext, p: Params) -> Params:
        view = role_view(self.principals.get(ctx, ROLE, p["RoleName"]))
        view["RoleLastUsed"] = self._role_last_used(ctx.account_id, view["Arn"])
        return {"Role": view}

    def _role_last_used(self, account: str, arn: str) -> Params:
        """When and in which Region a session of the role last made a call: the latest of the
        access recorder's records of the role (access_recorder.py), {} if it was never used."""
        records = self.recorder.entries(account, arn).values()
        latest = max(records, key=lambda record: record["LastAuthenticated"], default=None)
        return {"LastUsedDate": latest["LastAuthenticated"], "Region": latest["Region"]} if latest else {}

    def ListRoles(self, ctx: RequestContext, p: Params) -> Params:
        roles, info = self.principals.listing(ctx, ROLE, p, path_filter(p))
        return {"Roles": [role_view(role, LISTED_VIEW) for role in roles], **info}

    def _update_role(self, ctx: RequestContext, name: str, **changes: Any) -> dict[str, Any]:
        with self.principals.store.transaction():
            doc = self.principals.get(ctx, ROLE, name)
            doc.update({k: v for k, v in changes.items() if v is not None})
            self.principals.save(ctx, ROLE, doc)
        return doc

    def UpdateRole(self, ctx: RequestContext, p: Params) -> Params:
        self._update_role(
            ctx,
            p["RoleName"],
            Description=p.get("Description"),
            MaxSessionDuration=p.get("MaxSessionDuration"),
        )
        return {}

    def UpdateRoleDescription(self, ctx: RequestContext, p: Params) -> Params:
        doc = self._update_role(ctx, p["RoleName"], Description=p.get("Description"))
        return {"Role": role_view(doc, UPDATED_VIEW)}

    def UpdateAssumeRolePolicy(self, ctx: RequestContext, p: Params) -> Params:
        refuse_if_service_linked(self.principals.get(ctx, ROLE, p["RoleName"]))
        trust = self._check_trust(ctx, p["PolicyDocument"])
        self._update_role(ctx, p["RoleName"], AssumeRolePolicyDocument=trust)
        return {}

    def DeleteRole(self, ctx: RequestContext, p: Params) -> Params:
        name = p["RoleName"]
        with self.principals.store.transaction():
            doc = self.principals.get(ctx, ROLE, name)
            refuse_if_service_linked(doc)  # it goes through DeleteServiceLinkedRole, never DeleteRole
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if self._profiles_with_role(ctx, name):
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            self.principals.apply_boundary(ctx, doc, None)
            self.principals.collection(ROLE).delete(scope(ctx), name)
            self.principals.retarget_trust(ctx, doc["Arn"], doc["RoleId"])
        return {}

    # -- instance profiles ------------------------------------------------

    @property
    def _profiles(self) -> Any:
        return self.principals.store.collection("iam", "instance_profiles")

    def _profile(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        doc = self._profiles.get(scope(ctx), name)
        if doc is None:
            raise no_such_entity(f"Instance Profile {name} cannot be found.")
        return doc

    def _profile_view(self, ctx: RequestContext, doc: dict[str, Any], tags: bool = False) -> dict[str, Any]:
        """An instance profile as AWS shows it: its roles in brief; its tags only when it has
        some, except GetInstanceProfile (`tags=True`), which always answers with the list."""
        roles = []
        for role_name in doc.get("Roles", []):
            role = self.principals.collection(ROLE).get(scope(ctx), role_name)
            if role is not None:
                roles.append(role_view(role, PROFILE_ROLE_VIEW))
        view = {**doc, "Roles": roles}
        if tags:
            view["Tags"] = doc.get("Tags", [])
        return view

    def _profiles_with_role(self, ctx: RequestContext, role: str) -> list[dict[str, Any]]:
        return [
            d
            for _, d in self.principals.store.iter_collection("iam", "instance_profiles", scope(ctx))
            if role in d.get("Roles", [])
        ]

    def CreateInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        name = p["InstanceProfileName"]
        path = check_path(p.get("Path"))
        doc: dict[str, Any] = {
            "Path": path,
            "InstanceProfileName": name,
            "InstanceProfileId": new_id("AIPA"),
            "Arn": arn(ctx.account_id, "instance-profile", path, name),
            "CreateDate": now().isoformat(),
            "Roles": [],
        }
        if p.get("Tags"):
            doc["Tags"] = merge_tags([], p["Tags"])
        if not self._profiles.insert(scope(ctx), name, doc):
            raise already_exists(f"Instance Profile {name} already exists.")
        return {"InstanceProfile": self._profile_view(ctx, doc)}

    def GetInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        return {
            "InstanceProfile": self._profile_view(
                ctx, self._profile(ctx, p["InstanceProfileName"]), tags=True
            )
        }

    def ListInstanceProfiles(self, ctx: RequestContext, p: Params) -> Params:
        docs, info = page(self._profiles, scope(ctx), p, path_filter(p))
        views = [self._profile_view(ctx, d) for d in docs]
        for view in views:  # ListInstanceProfiles leaves out tags
            view.pop("Tags", None)
        return {"InstanceProfiles": views, **info}

    def ListInstanceProfilesForRole(self, ctx: RequestContext, p: Params) -> Params:
        self.principals.get(ctx, ROLE, p["RoleName"])
        docs = self._profiles_with_role(ctx, p["RoleName"])
        views = [self._profile_view(ctx, d) for d in docs]
        for view in views:  # as in ListInstanceProfiles
            view.pop("Tags", None)
        return page_list(views, p, "InstanceProfiles")

    def DeleteInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._profile(ctx, p["InstanceProfileName"])
            if doc.get("Roles"):
                raise delete_conflict("Cannot delete entity, must remove roles from instance profile first.")
            self._profiles.delete(scope(ctx), p["InstanceProfileName"])
        return {}

    def AddRoleToInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._profile(ctx, p["InstanceProfileName"])
            self.principals.get(ctx, ROLE, p["RoleName"])
            if p["RoleName"] in doc["Roles"]:
                raise limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
            if doc["Roles"]:
                raise limit_exceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
            doc["Roles"].append(p["RoleName"])
            self._profiles.put(scope(ctx), p["InstanceProfileName"], doc)
        return {}

    def RemoveRoleFromInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            doc = self._profile(ctx, p["InstanceProfileName"])
            self.principals.get(ctx, ROLE, p["RoleName"])
            if p["RoleName"] not in doc["Roles"]:
                raise no_such_entity(
                    f"Role {p['RoleName']} in Instance Profile {p['InstanceProfileName']} cannot be found."
                )
            doc["Roles"].remove(p["RoleName"])
            self._profiles.put(scope(ctx), p["InstanceProfileName"], doc)
        return {}

    def _tag_profile(self, ctx: RequestContext, name: str, change: Any) -> None:
        with self.principals.store.transaction():
            doc = self._profile(ctx, name)
            doc["Tags"] = change(doc.get("Tags", []))
            self._profiles.put(scope(ctx), name, doc)

    def TagInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        self._tag_profile(ctx, p["InstanceProfileName"], lambda tags: merge_tags(tags, p["Tags"]))
        return {}

    def UntagInstanceProfile(self, ctx: RequestContext, p: Params) -> Params:
        self._tag_profile(ctx, p["InstanceProfileName"], lambda tags: remove_tags(tags, p["TagKeys"]))
        return {}

    def ListInstanceProfileTags(self, ctx: RequestContext, p: Params) -> Params:
        return list_tags(self._profile(ctx, p["InstanceProfileName"]).get("Tags", []), p)
