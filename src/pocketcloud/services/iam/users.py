"""IAM users, their access keys, login profiles and group memberships."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import (
    already_exists,
    arn,
    check_path,
    delete_conflict,
    limit_exceeded,
    merge_tags,
    name_taken,
    new_id,
    new_secret,
    no_such_entity,
    now,
    path_filter,
    scope,
    validation_error,
)
from pocketcloud.services.iam.key_last_used import KeyUseRecorder
from pocketcloud.services.iam.principals import (
    GROUP,
    USER,
    Principals,
    page_list,
    public_view,
    shared_operations,
)

MAX_ACCESS_KEYS = 2

Params = dict[str, Any]


class UserOperations(shared_operations(USER, "User")):  # type: ignore[misc]
    principals: Principals
    key_uses: KeyUseRecorder

    # -- users --------------------------------------------------------------

    def CreateUser(self, ctx: RequestContext, p: Params) -> Params:
        name = p["UserName"]
        path = check_path(p.get("Path"))
        doc = {
            "Path": path,
            "UserName": name,
            "UserId": new_id("AIDA"),
            "Arn": arn(ctx.account_id, "user", path, name),
            "CreateDate": now().isoformat(),
        }
        if p.get("Tags"):
            doc["Tags"] = merge_tags([], p["Tags"])
        with self.principals.store.transaction():
            users = self.principals.collection(USER)
            if name_taken(users, scope(ctx), name) or not users.insert(scope(ctx), name, doc):
                raise already_exists(f"User with name {name} already exists.")
            if p.get("PermissionsBoundary"):
                self.principals.apply_boundary(ctx, doc, p["PermissionsBoundary"])
                self.principals.save(ctx, USER, doc)
        return {"User": public_view(doc)}

    def GetUser(self, ctx: RequestContext, p: Params) -> Params:
        name = self._caller_user(ctx, p)
        if name is None:  # the root user
            principal = ctx.principal
            # The root user has no name and no path: AWS leaves both out (as in ListVirtualMFADevices).
            return {
                "User": {
                    "UserId": principal.account_id,
                    "Arn": principal.arn,
                    "CreateDate": now().isoformat(),
                }
            }
        return {"User": public_view(self.principals.get(ctx, USER, name))}

    def ListUsers(self, ctx: RequestContext, p: Params) -> Params:
        users, info = self.principals.listing(ctx, USER, p, path_filter(p))
        # ListUsers leaves out tags and the boundary, as AWS does (GetUser has them).
        views = [
            {k: v for k, v in public_view(u).items() if k not in ("Tags", "PermissionsBoundary")}
            for u in users
        ]
        return {"Users": views, **info}

    def UpdateUser(self, ctx: RequestContext, p: Params) -> Params:
        name = p["UserName"]

        def renamed(doc: Params) -> None:
            new_name = doc["UserName"]
            if doc.get("LoginProfile"):
                doc["LoginProfile"]["UserName"] = new_name
            self._rename_in_keys(ctx, name, new_name)
            self.rename_user_credentials(ctx, name, new_name)

        self.principals.update(ctx, USER, name, p.get("NewUserName"), p.get("NewPath"), renamed)
        return {}

    def DeleteUser(self, ctx: RequestContext, p: Params) -> Params:
        name = p["UserName"]
        with self.principals.store.transaction():
            doc = self.principals.get(ctx, USER, name)
            if self._keys(ctx, name):
                raise delete_conflict("Cannot delete entity, must delete access keys first.")
            if doc.get("LoginProfile"):
                raise delete_conflict("Cannot delete entity, must delete login profile first.")
            remaining = self.remaining_user_credentials(ctx, name)
            if remaining:
                raise delete_conflict(remaining)
            if doc.get("AttachedPolicies"):
                raise delete_conflict("Cannot delete entity, must detach all policies first.")
            if doc.get("InlinePolicies"):
                raise delete_conflict("Cannot delete entity, must delete policies first.")
            if doc.get("Groups"):
                raise delete_conflict("Cannot delete entity, must remove users from group first.")
            self.principals.apply_boundary(ctx, doc, None)
            self.principals.collection(USER).delete(scope(ctx), name)
            self.principals.retarget_trust(ctx, doc["Arn"], doc["UserId"])
        return {}

    # -- group membership -------------------------------------------------

    def AddUserToGroup(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            user = self.principals.get(ctx, USER, p["UserName"])  # AWS looks for the user first
            self.principals.get(ctx, GROUP, p["GroupName"])
            groups = user.setdefault("Groups", [])
            if p["GroupName"] not in groups:
                groups.append(p["GroupName"])
                self.principals.save(ctx, USER, user)
        return {}

    def RemoveUserFromGroup(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            user = self.principals.get(ctx, USER, p["UserName"])  # AWS looks for the user first
            self.principals.get(ctx, GROUP, p["GroupName"])
            # Removing a user who is not a member succeeds, as on AWS.
            if p["GroupName"] in user.get("Groups", []):
                user["Groups"].remove(p["GroupName"])
                self.principals.save(ctx, USER, user)
        return {}

    def ListGroupsForUser(self, ctx: RequestContext, p: Params) -> Params:
        user = self.principals.get(ctx, USER, p["UserName"])
        groups = [self.principals.get(ctx, GROUP, g) for g in user.get("Groups", [])]
        return page_list([public_view(g) for g in groups], p, "Groups")

    # -- access keys ------------------------------------------------------

    def _key_collection(self) -> Any:
        return self.principals.store.collection("iam", "access_keys")

    def _keys(self, ctx: RequestContext, user: str) -> list[dict[str, Any]]:
        return [doc for _, doc in self._key_collection().scan(scope(ctx), prefix=user + "\0")]

    def _rename_in_keys(self, ctx: RequestContext, old: str, new: str) -> None:
        coll = self._key_collection()
        for doc in self._keys(ctx, old):
            coll.delete(scope(ctx), f"{old}\0{doc['AccessKeyId']}")
            doc["UserName"] = new
            coll.put(scope(ctx), f"{new}\0{doc['AccessKeyId']}", doc)
            self.key_index.put(("", ""), doc["AccessKeyId"], {"Account": ctx.account_id, "UserName": new})

    @property
    def key_index(self) -> Any:
        """Access key id → (account, user), across accounts: what authentication looks up."""
        return self.principals.store.collection("iam", "access_key_index")

    def _caller_user(self, ctx: RequestContext, p: Params) -> str | None:
        """The user an optional UserName defaults to: the caller's own; None for the root user."""
        if p.get("UserName"):
            return str(p["UserName"])
        if ctx.principal.kind == "User":
            return ctx.principal.name
        if ctx.principal.is_root:
            return None
        raise validation_error("Must specify userName when calling with non-User credentials")

    def CreateAccessKey(self, ctx: RequestContext, p: Params) -> Params:
        user = self._caller_user(ctx, p)
        if user is None:
            raise limit_exceeded("Root access keys are managed by pocketcloud's configuration.")
        with self.principals.store.transaction():
            self.principals.get(ctx, USER, user)
            if len(self._keys(ctx, user)) >= MAX_ACCESS_KEYS:
                raise limit_exceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
            key_id = new_id("AKIA", 20)
            doc = {
                "UserName": user,
                "AccessKeyId": key_id,
                "Status": "Active",
                "SecretAccessKey": new_secret(),
                "CreateDate": now().isoformat(),
            }
            self._key_collection().put(scope(ctx), f"{user}\0{key_id}", doc)
            self.key_index.put(("", ""), key_id, {"Account": ctx.account_id, "UserName": user})
        return {"AccessKey": doc}

    def ListAccessKeys(self, ctx: RequestContext, p: Params) -> Params:
        user = self._caller_user(ctx, p)
        if user is None:
            return {"AccessKeyMetadata": [], "IsTruncated": False}
        self.principals.get(ctx, USER, user)
        keys = [
            {k: d[k] for k in ("UserName", "AccessKeyId", "Status", "CreateDate")}
            for d in self._keys(ctx, user)
        ]
        # Two keys at most, but AWS still pages them by MaxItems and Marker.
        return page_list(keys, p, "AccessKeyMetadata")

    def _key(self, ctx: RequestContext, user: str | None, key_id: str) -> dict[str, Any]:
        if user:  # a user that does not exist is named as such (versity/versitygw's *_non_existing_user)
            self.principals.get(ctx, USER, user)
        doc = self._key_collection().get(scope(ctx), f"{user}\0{key_id}") if user else None
        if doc is None:
            raise no_such_entity(f"The Access Key with id {key_id} cannot be found.")
        return doc

    def UpdateAccessKey(self, ctx: RequestContext, p: Params) -> Params:
        user = self._caller_user(ctx, p)
        with self.principals.store.transaction():
            doc = self._key(ctx, user, p["AccessKeyId"])
            doc["Status"] = p["Status"]
            self._key_collection().put(scope(ctx), f"{user}\0{p['AccessKeyId']}", doc)
        return {}

    def DeleteAccessKey(self, ctx: RequestContext, p: Params) -> Params:
        user = self._caller_user(ctx, p)
        with self.principals.store.transaction():
            self._key(ctx, user, p["AccessKeyId"])
            self._key_collection().delete(scope(ctx), f"{user}\0{p['AccessKeyId']}")
            self.key_index.delete(("", ""), p["AccessKeyId"])
        return {}

    def GetAccessKeyLastUsed(self, ctx: RequestContext, p: Params) -> Params:
        entry = self.key_index.get(("", ""), p["AccessKeyId"])
        if entry is None or entry["Account"] != ctx.account_id:
            # AWS does not say whether a key it cannot show exists: it refuses the call.
            raise ServiceError(
                "AccessDenied",
                f"User: {ctx.principal.arn} is not authorized to perform iam:GetAccessKeyLastUsed "
                f"on resource: access key {p['AccessKeyId']}",
                status=403,
            )
        self.key_uses.flush()
        doc = self._key(ctx, entry["UserName"], p["AccessKeyId"])
        last = doc.get("LastUsed") or {"ServiceName": "N/A", "Region": "N/A"}
        return {"UserName": entry["UserName"], "AccessKeyLastUsed": last}

    # -- login profiles ---------------------------------------------------

    def _login_user(self, ctx: RequestContext, p: Params) -> str:
        """Whose login profile: UserName, else the calling user. The root user must name one (AWS
        lets it omit the name only from an AssumeRoot session, which has no password to manage)."""
        name = self._caller_user(ctx, p)
        if name is None:
            raise validation_error("Must specify userName when calling with non-User credentials")
        return name

    async def CreateLoginProfile(self, ctx: RequestContext, p: Params) -> Params:
        name = self._login_user(ctx, p)
        seen = self.principals.get(ctx, USER, name)
        if seen.get("LoginProfile"):
            raise already_exists(f"Login Profile for user {name} already exists.")
        entry = None if p.get("Password") is None else await self.new_password(ctx, seen, p["Password"])
        with self.principals.store.transaction():
            user = self.principals.get(ctx, USER, name)
            if user.get("LoginProfile"):
                raise already_exists(f"Login Profile for user {name} already exists.")
            if entry is not None:
                self.store_password(user, seen, entry)
            user["LoginProfile"] = {
                "UserName": name,
                "CreateDate": now().isoformat(),
                "PasswordResetRequired": bool(p.get("PasswordResetRequired", False)),
            }
            self.principals.save(ctx, USER, user)
        return {"LoginProfile": user["LoginProfile"]}

    def _login_profile(self, ctx: RequestContext, name: str) -> dict[str, Any]:
        user = self.principals.get(ctx, USER, name)
        if not user.get("LoginProfile"):
            raise no_such_entity(f"Login Profile for User {name} cannot be found.")
        return user

    def GetLoginProfile(self, ctx: RequestContext, p: Params) -> Params:
        return {"LoginProfile": self._login_profile(ctx, self._login_user(ctx, p))["LoginProfile"]}

    async def UpdateLoginProfile(self, ctx: RequestContext, p: Params) -> Params:
        name = self._login_user(ctx, p)
        seen = self._login_profile(ctx, name)
        entry = None if p.get("Password") is None else await self.new_password(ctx, seen, p["Password"])
        with self.principals.store.transaction():
            user = self._login_profile(ctx, name)
            if entry is not None:
                self.store_password(user, seen, entry)
            if "PasswordResetRequired" in p:
                user["LoginProfile"]["PasswordResetRequired"] = p["PasswordResetRequired"]
            self.principals.save(ctx, USER, user)
        return {}

    def DeleteLoginProfile(self, ctx: RequestContext, p: Params) -> Params:
        with self.principals.store.transaction():
            user = self._login_profile(ctx, self._login_user(ctx, p))
            user.pop("LoginProfile")
            user.pop("Password", None)
            self.principals.save(ctx, USER, user)
        return {}
