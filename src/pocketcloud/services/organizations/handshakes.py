"""Handshakes: an organization's exchanges with accounts that must agree to something.

- An invitation (InviteAccountToOrganization, action INVITE) to an account outside the
  organization, named by its id or its email address; the account accepts it
  (AcceptHandshake, and it joins the organization's root, JoinedMethod INVITED) or
  declines it; the management account may cancel it while it is open.
- Enabling all features (EnableAllFeatures) in an organization made with consolidated
  billing only: a parent handshake (ENABLE_ALL_FEATURES, the organization its only
  party) and one ENABLE_ALL_FEATURES handshake for every member account that joined by
  invitation. Once every one of those is accepted, the management account receives
  APPROVE_ALL_FEATURES; accepting it finishes the change (FeatureSet ALL). Cancelling
  the parent cancels its open children.

Open handshakes expire 15 days after they are sent (EXPIRED, as AWS's examples show:
ExpirationTimestamp is RequestedTimestamp + 1,296,000 s). Handshakes are documents of
the organization's state, so DeleteOrganization takes them along.

The accounts an invitation may reach are the ones this server knows: declared up
front, made by CreateAccount, or the default account; an account that left the
organization keeps its name and email (the `standalone` table) for a later invitation.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.organizations.structure import (
    GLOBAL,
    access_denied,
    available_policy_types,
    now_iso,
    org_error,
    page,
)

Params = dict[str, Any]
_PREFIX = "h-"
_LIFETIME = timedelta(days=15)
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_FINAL = {"ACCEPTED": "AcceptHandshake", "DECLINED": "DeclineHandshake", "CANCELED": "CancelHandshake"}


def _new_id() -> str:
    return _PREFIX + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))


def _constraint(reason: str) -> ServiceError:
    return org_error("HandshakeConstraintViolationException", Reason=reason)


def _invalid(reason: str) -> ServiceError:
    return org_error("InvalidInputException", Reason=reason)


def _expired(handshake: Params, now: datetime) -> bool:
    return (
        handshake["State"] in ("OPEN", "REQUESTED")
        and datetime.fromisoformat(handshake["ExpirationTimestamp"]) <= now
    )


class HandshakeOperations:
    """The handshake operations of the Organizations provider, and EnableAllFeatures."""

    state: Any
    store: Any
    accounts: Any
    standalone: Any
    runtime: Any
    _organization: Callable[[], Params]
    _require_administrator: Callable[[RequestContext, Params], Params]
    structure: Callable[[Params], Params]
    save_structure: Callable[[Params], None]
    new_target: Callable[[Params, str], None]
    _changed: Callable[[], None]

    # -- the documents ----------------------------------------------------------

    def _handshakes(self) -> list[Params]:
        now = datetime.now(UTC)
        found = []
        for _, handshake in self.state.scan(GLOBAL, prefix=_PREFIX):
            if _expired(handshake, now):
                handshake = {**handshake, "State": "EXPIRED"}
            found.append(handshake)
        found.sort(key=lambda h: h["_Order"])
        return found

    def _handshake(self, handshake_id: str) -> Params | None:
        handshake: Params | None = self.state.get(GLOBAL, handshake_id)
        if handshake is not None and _expired(handshake, datetime.now(UTC)):
            handshake = {**handshake, "State": "EXPIRED"}
        return handshake

    @staticmethod
    def _public_handshake(handshake: Params) -> Params:
        return {k: v for k, v in handshake.items() if not k.startswith("_")}

    def email_of(self, account_id: str) -> str:
        """The email address of an account this server knows, member or not."""
        for table in (self.accounts, self.standalone):
            doc = table.get(GLOBAL, account_id)
            if doc is not None:
                return str(doc["Email"])
        return f"root+{account_id}@pocketcloud.local"

    def _is_recipient(self, handshake: Params, account_id: str) -> bool:
        recipient = handshake["_Recipient"]
        if recipient["Type"] == "ACCOUNT":
            return bool(recipient["Id"] == account_id)
        if recipient["Type"] == "EMAIL":
            return str(recipient["Id"]).lower() == self.email_of(account_id).lower()
        return False  # the organization itself: a parent handshake no account answers

    def _is_sender(self, handshake: Params, account_id: str) -> bool:
        org: Params | None = self.state.get(GLOBAL, "organization")
        return (
            org is not None
            and org["Id"] == handshake["_Organization"]
            and org["MasterAccountId"] == account_id
        )

    def _new_handshake(
        self,
        org: Params,
        action: str,
        recipient: Params | None,
        resources: list[Params],
        state: str = "OPEN",
        **hidden: Any,
    ) -> Params:
        """A new handshake, stored. `hidden`: fields kept with it and never answered (`_Parent`, `_Tags`)."""
        handshake_id = _new_id()
        now = datetime.now(UTC)
        requested = now.replace(microsecond=now.microsecond // 1000 * 1000)  # AWS's milliseconds
        parties = [{"Id": org["Id"], "Type": "ORGANIZATION"}]
        if recipient is not None:
            parties.append({"Id": recipient["Id"], "Type": recipient["Type"]})
        handshake = {
            "Id": handshake_id,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:handshake/{org['Id']}/{action.lower()}/"
            f"{handshake_id}",
            "Parties": parties,
            "State": state,
            "RequestedTimestamp": requested.isoformat(),
            "ExpirationTimestamp": (requested + _LIFETIME).isoformat(),
            "Action": action,
            "Resources": resources,
            "_Organization": org["Id"],
            "_Recipient": recipient or {"Id": org["Id"], "Type": "ORGANIZATION"},
            "_Order": self.store.next_sequence("organizations.handshakes"),  # lists show them as sent
            **{f"_{name}": value for name, value in hidden.items()},
        }
        self.state.put(GLOBAL, handshake_id, handshake)
        return handshake

    def _organization_resource(self, org: Params) -> Params:
        management = self.accounts.get(GLOBAL, org["MasterAccountId"]) or {}
        return {
            "Type": "ORGANIZATION",
            "Value": org["Id"],
            "Resources": [
                {"Type": "MASTER_EMAIL", "Value": org["MasterAccountEmail"]},
                {"Type": "MASTER_NAME", "Value": management.get("Name", "management")},
                {"Type": "ORGANIZATION_FEATURE_SET", "Value": org["FeatureSet"]},
            ],
        }

    def _pending_all_features(self) -> Params | None:
        return next(
            (
                h
                for h in self._handshakes()
                if h["Action"] == "ENABLE_ALL_FEATURES"
                and "_Parent" not in h
                and h["State"] in ("OPEN", "REQUESTED")
            ),
            None,
        )

    # -- invitations --------------------------------------------------------------

    def InviteAccountToOrganization(self, ctx: RequestContext, p: Params) -> Params:
        org = self._organization()
        if ctx.account_id != org["MasterAccountId"]:
            raise access_denied()
        target = p["Target"]
        kind, target_id = target["Type"], str(target["Id"])
        if kind == "ACCOUNT":
            if not (len(target_id) == 12 and target_id.isascii() and target_id.isdigit()):
                raise _invalid("INVALID_PARTY_TYPE_TARGET")
            member = self.accounts.get(GLOBAL, target_id) is not None
        elif kind == "EMAIL":
            if not _EMAIL.fullmatch(target_id) or len(target_id) > 64:
                raise _invalid("INVALID_EMAIL_ADDRESS_TARGET")
            member = any(
                str(doc["Email"]).lower() == target_id.lower()
                for _, doc in self.store.iter_collection("organizations", "accounts", GLOBAL)
            )
        else:
            raise _invalid("INVALID_PARTY_TYPE_TARGET")
        if member:
            raise _constraint("ALREADY_IN_AN_ORGANIZATION")
        if self._pending_all_features() is not None:
            raise _constraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")
        recipient = {"Id": target_id, "Type": kind}
        if any(
            h["Action"] == "INVITE"
            and h["State"] == "OPEN"
            and h["_Recipient"]["Type"] == kind
            and str(h["_Recipient"]["Id"]).lower() == target_id.lower()
            for h in self._handshakes()
        ):
            raise org_error("DuplicateHandshakeException")
        resources = [self._organization_resource(org), {"Type": kind, "Value": target_id}]
        if p.get("Notes"):
            resources.append({"Type": "NOTES", "Value": p["Notes"]})
        tags = {t["Key"]: t["Value"] for t in p.get("Tags") or []}
        with self.store.transaction():
            handshake = self._new_handshake(org, "INVITE", recipient, resources, Tags=tags)
        return {"Handshake": self._public_handshake(handshake)}

    def _join(self, handshake: Params, account_id: str) -> None:
        """`account_id` accepts an invitation: it joins the organization's root."""
        org = self._organization()
        if self.accounts.get(GLOBAL, account_id) is not None:
            raise _constraint("ALREADY_IN_AN_ORGANIZATION")
        if handshake["_Organization"] != org["Id"]:
            raise org_error("HandshakeNotFoundException")
        known = self.standalone.get(GLOBAL, account_id) or {}
        account = {
            "Id": account_id,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:account/{org['Id']}/{account_id}",
            "Email": self.email_of(account_id),
            "Name": known.get("Name", f"account-{account_id}"),
            "Status": "ACTIVE",
            "State": "ACTIVE",
            "JoinedMethod": "INVITED",
            "JoinedTimestamp": now_iso(),
        }
        if "RootAccessKeyId" in known:
            account["RootAccessKeyId"] = known["RootAccessKeyId"]
        self.accounts.put(GLOBAL, account_id, account)
        self.standalone.delete(GLOBAL, account_id)
        tree = self.structure(org)
        self.new_target(tree, account_id)
        if handshake.get("_Tags"):
            tree["Tags"][account_id] = dict(handshake["_Tags"])
        self.save_structure(tree)

    def remember_departure(self, account: Params) -> None:
        """An account leaving the organization: its name, email and root key stay known; an open request
        to approve all features it was sent is cancelled, and no longer waits for its answer."""
        kept = {k: account[k] for k in ("Id", "Email", "Name", "RootAccessKeyId") if k in account}
        self.standalone.put(GLOBAL, account["Id"], kept)
        for handshake in self._handshakes():
            if (
                handshake["Action"] == "ENABLE_ALL_FEATURES"
                and handshake["State"] == "OPEN"
                and "_Parent" in handshake
                and handshake["_Recipient"] == {"Id": account["Id"], "Type": "ACCOUNT"}
            ):
                self.state.put(GLOBAL, handshake["Id"], {**handshake, "State": "CANCELED"})
                self._after_approval(handshake["_Parent"])

    # -- responses ----------------------------------------------------------------

    def _respond(self, ctx: RequestContext, handshake_id: str, new_state: str) -> Params:
        handshake = self._handshake(handshake_id)
        if handshake is None:
            raise org_error("HandshakeNotFoundException")
        recipient = self._is_recipient(handshake, ctx.account_id)
        sender = self._is_sender(handshake, ctx.account_id)
        if (new_state == "CANCELED" and not sender) or (new_state != "CANCELED" and not recipient):
            if recipient or sender:
                raise access_denied()
            raise org_error("HandshakeNotFoundException")
        if handshake["State"] == new_state:
            raise org_error("HandshakeAlreadyInStateException")
        if handshake["State"] not in ("OPEN", "REQUESTED") or (
            handshake["State"] == "REQUESTED" and new_state != "CANCELED"
        ):
            raise org_error("InvalidHandshakeTransitionException")
        with self.store.transaction():
            if new_state == "ACCEPTED":
                self._accepted(handshake, ctx.account_id)
            handshake["State"] = new_state
            self.state.put(GLOBAL, handshake["Id"], handshake)
            if new_state == "CANCELED":
                for child in self._handshakes():
                    if child.get("_Parent") == handshake["Id"] and child["State"] == "OPEN":
                        self.state.put(GLOBAL, child["Id"], {**child, "State": "CANCELED"})
            elif new_state == "ACCEPTED" and "_Parent" in handshake:
                self._after_approval(handshake["_Parent"])
        return {"Handshake": self._public_handshake(handshake)}

    def _accepted(self, handshake: Params, account_id: str) -> None:
        if handshake["Action"] == "INVITE":
            self._join(handshake, account_id)
        elif handshake["Action"] == "APPROVE_ALL_FEATURES":
            org = self._organization()
            org["FeatureSet"] = "ALL"
            org["AvailablePolicyTypes"] = available_policy_types("ALL")
            self.state.put(GLOBAL, "organization", org)
            parent = self.state.get(GLOBAL, handshake["_Parent"])
            if parent is not None:
                self.state.put(GLOBAL, parent["Id"], {**parent, "State": "ACCEPTED"})
            self._changed()

    def _after_approval(self, parent_id: str) -> None:
        """An ENABLE_ALL_FEATURES handshake accepted: once every member has agreed, the management
        account is asked for its final approval (APPROVE_ALL_FEATURES)."""
        parent = self.state.get(GLOBAL, parent_id)
        if parent is None or parent["State"] not in ("OPEN", "REQUESTED"):
            return
        children = [
            h for h in self._handshakes() if h.get("_Parent") == parent_id and h["State"] != "CANCELED"
        ]
        if all(
            h["State"] == "ACCEPTED" for h in children if h["Action"] == "ENABLE_ALL_FEATURES"
        ) and not any(h["Action"] == "APPROVE_ALL_FEATURES" for h in children):
            self._ask_final_approval(self._organization(), parent)

    def _ask_final_approval(self, org: Params, parent: Params) -> None:
        self._new_handshake(
            org,
            "APPROVE_ALL_FEATURES",
            {"Id": org["MasterAccountId"], "Type": "ACCOUNT"},
            [
                {"Type": "ORGANIZATION", "Value": org["Id"]},
                {"Type": "PARENT_HANDSHAKE", "Value": parent["Id"]},
            ],
            Parent=parent["Id"],
        )

    def AcceptHandshake(self, ctx: RequestContext, p: Params) -> Params:
        return self._respond(ctx, p["HandshakeId"], "ACCEPTED")

    def DeclineHandshake(self, ctx: RequestContext, p: Params) -> Params:
        return self._respond(ctx, p["HandshakeId"], "DECLINED")

    def CancelHandshake(self, ctx: RequestContext, p: Params) -> Params:
        return self._respond(ctx, p["HandshakeId"], "CANCELED")

    # -- reading --------------------------------------------------------------------

    def DescribeHandshake(self, ctx: RequestContext, p: Params) -> Params:
        """A handshake its recipient, or any account of the organization that sent it, asks for ("You
        can call this operation from any account in a organization"); to anyone else it is not found."""
        handshake = self._handshake(p["HandshakeId"])
        if handshake is None or not (
            self._is_recipient(handshake, ctx.account_id) or self._in_sending_organization(ctx, handshake)
        ):
            raise org_error("HandshakeNotFoundException")
        return {"Handshake": self._public_handshake(handshake)}

    def _in_sending_organization(self, ctx: RequestContext, handshake: Params) -> bool:
        org: Params | None = self.state.get(GLOBAL, "organization")
        return (
            org is not None
            and org["Id"] == handshake["_Organization"]
            and self.accounts.get(GLOBAL, ctx.account_id) is not None
        )

    @staticmethod
    def _filtered(handshakes: list[Params], p: Params) -> list[Params]:
        wanted = p.get("Filter") or {}
        if wanted.get("ActionType") and wanted.get("ParentHandshakeId"):
            raise _invalid("MAX_LIMIT_EXCEEDED_FILTER")
        if wanted.get("ActionType"):
            handshakes = [h for h in handshakes if h["Action"] == wanted["ActionType"]]
        if wanted.get("ParentHandshakeId"):
            handshakes = [h for h in handshakes if h.get("_Parent") == wanted["ParentHandshakeId"]]
        return handshakes

    def ListHandshakesForAccount(self, ctx: RequestContext, p: Params) -> Params:
        mine = [h for h in self._handshakes() if self._is_recipient(h, ctx.account_id)]
        listed = [self._public_handshake(h) for h in self._filtered(mine, p)]
        return page(listed, p, "Handshakes")

    def ListHandshakesForOrganization(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        sent = [h for h in self._handshakes() if h["_Organization"] == org["Id"]]
        listed = [self._public_handshake(h) for h in self._filtered(sent, p)]
        return page(listed, p, "Handshakes")

    # -- all features -----------------------------------------------------------------

    def EnableAllFeatures(self, ctx: RequestContext, p: Params) -> Params:
        org = self._organization()
        if ctx.account_id != org["MasterAccountId"]:
            raise access_denied()
        if org["FeatureSet"] == "ALL":
            raise _constraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES")
        if self._pending_all_features() is not None:
            raise _constraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")
        with self.store.transaction():
            parent = self._new_handshake(
                org,
                "ENABLE_ALL_FEATURES",
                None,
                [{"Type": "ORGANIZATION", "Value": org["Id"]}],
                state="REQUESTED",
            )
            invited = [
                doc["Id"]
                for _, doc in self.store.iter_collection("organizations", "accounts", GLOBAL)
                if doc.get("JoinedMethod") == "INVITED" and doc["Id"] != org["MasterAccountId"]
            ]
            for account_id in invited:
                self._new_handshake(
                    org,
                    "ENABLE_ALL_FEATURES",
                    {"Id": account_id, "Type": "ACCOUNT"},
                    [
                        self._organization_resource(org),
                        {"Type": "ACCOUNT", "Value": account_id},
                        {"Type": "PARENT_HANDSHAKE", "Value": parent["Id"]},
                    ],
                    Parent=parent["Id"],
                )
            if not invited:
                self._ask_final_approval(org, parent)
        return {"Handshake": self._public_handshake(parent)}
