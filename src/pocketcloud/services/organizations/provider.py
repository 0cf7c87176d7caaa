"""Organizations: CreateAccount/DescribeAccount/ListAccounts make further AWS accounts,
each with its own root access key, so cross-account roles and policies can be tried
on one machine. The default account is the organization's management account; the
accounts declared up front (POCKETCLOUD_ACCOUNTS) join the organization as members
when it is created. The tree of OUs is `structure.py`'s, policies and the SCPs and
RCPs the IAM engine enforces are `policies.py`'s, invitations and enabling all
features (handshakes) are `handshakes.py`'s.
"""

from __future__ import annotations

import random
import secrets
import string
from typing import Any

from pocketcloud.auth.principal import Credential, root_principal
from pocketcloud.gateway.context import RequestContext
from pocketcloud.iam.org_policies import PolicyChain
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.values import is_digits
from pocketcloud.services.base import Provider, ServiceRuntime
from pocketcloud.services.iam.common import new_id, new_secret
from pocketcloud.services.organizations.delegation import DelegationOperations
from pocketcloud.services.organizations.handshakes import HandshakeOperations
from pocketcloud.services.organizations.policies import PolicyOperations
from pocketcloud.services.organizations.service_access import ServiceAccessOperations
from pocketcloud.services.organizations.structure import (
    StructureOperations,
    access_denied,
    available_policy_types,
    invalid_token,
    now_iso,
    org_error,
    page,
)

Params = dict[str, Any]
GLOBAL = ("", "")
ACCESS_ROLE_TRUST = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:root"},'
    '"Action":"sts:AssumeRole"}]}'
)


def _org_error(code: str, message: str, status: int = 400) -> ServiceError:
    return ServiceError(code, message, status=status)


class OrganizationsProvider(
    StructureOperations,
    PolicyOperations,
    ServiceAccessOperations,
    DelegationOperations,
    HandshakeOperations,
    Provider,
):
    service = "organizations"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        self.state = runtime.store.collection("organizations", "state")
        self.accounts = runtime.store.collection("organizations", "accounts")
        self.root_keys = runtime.store.collection("organizations", "root_keys")
        self.policies = runtime.store.collection("organizations", "policies")
        self.standalone = runtime.store.collection("organizations", "standalone")  # accounts that left
        # Compiled SCPs and RCPs by (policy type, account) (None: not limited), and each account's
        # organization and path in it; emptied on every change that could alter them.
        self._chains: dict[tuple[str, str], PolicyChain | None] = {}
        self._memberships: dict[str, tuple[str, str] | None] = {}
        self._has_organization: bool | None = None  # cached has_organization(); None: look
        runtime.credentials.register(self.credential_for_access_key)
        runtime.credentials.register_accounts(self.accounts_with_root_keys)

    async def start(self) -> None:
        self._changed()  # also after a reset, which empties the store under a running provider

    def credential_for_access_key(self, access_key_id: str) -> Credential | None:
        doc = self.root_keys.get(GLOBAL, access_key_id)
        if doc is None:
            return None
        return Credential(
            access_key_id, doc["SecretAccessKey"], root_principal(doc["AccountId"], access_key_id)
        )

    def accounts_with_root_keys(self) -> list[str]:
        """The accounts created here, whose root keys this provider holds."""
        return [doc["AccountId"] for _, doc in self.root_keys.scan(GLOBAL)]

    # -- the organization ---------------------------------------------------

    def _organization(self) -> Params:
        org = self.state.get(GLOBAL, "organization")
        if org is None:
            raise _org_error(
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            )
        return org

    def organization(self) -> Params | None:
        """The organization, if one was created (for IAM's centralized root access)."""
        org: Params | None = self.state.get(GLOBAL, "organization")
        return org

    def member_account(self, account_id: str) -> Params | None:
        """An account of the organization (the management account included)."""
        account: Params | None = self.accounts.get(GLOBAL, account_id)
        return account

    def _management_account(self) -> str:
        return self.runtime.settings.account_id

    def _member_organization(self, ctx: RequestContext) -> Params:
        """The organization the caller's account belongs to: an account outside it (while another
        account's organization exists) is "not a member of an organization", as with none at all."""
        org = self._organization()
        if self.accounts.get(GLOBAL, ctx.account_id) is None:
            raise _org_error(
                "AWSOrganizationsNotInUseException",
                "Your account is not a member of an organization.",
            )
        return org

    def refusal(self, ctx: RequestContext, operation: str, resource_account: str | None) -> ServiceError:
        """What a call IAM's policies refuse is told: Organizations words every refusal alike, whether a
        policy or the caller's place in the organization decided it."""
        return access_denied()

    def _require_administrator(self, ctx: RequestContext, p: Params) -> Params:
        """The caller's organization, if the caller may make this call (with `p`): the management
        account, or a member account the organization delegates it to (`delegation.py`)."""
        org = self._member_organization(ctx)
        if ctx.account_id != org["MasterAccountId"] and not self.delegated(ctx, org, p):
            raise access_denied()
        return org

    def CreateOrganization(self, ctx: RequestContext, p: Params) -> Params:
        if self.state.get(GLOBAL, "organization") is not None:
            raise _org_error(
                "AlreadyInOrganizationException", "The AWS account is already a member of an organization."
            )
        account = ctx.account_id
        org_id = "o-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
        feature_set = p.get("FeatureSet") or "ALL"
        org = {
            "Id": org_id,
            "Arn": f"arn:aws:organizations::{account}:organization/{org_id}",
            "FeatureSet": feature_set,
            "MasterAccountArn": f"arn:aws:organizations::{account}:account/{org_id}/{account}",
            "MasterAccountId": account,
            "MasterAccountEmail": f"root+{account}@pocketcloud.local",
            "AvailablePolicyTypes": available_policy_types(feature_set),
        }
        with self.store.transaction():
            self.state.put(GLOBAL, "organization", org)
            self.accounts.put(
                GLOBAL,
                account,
                {
                    "Id": account,
                    "Arn": org["MasterAccountArn"],
                    "Email": org["MasterAccountEmail"],
                    "Name": "management",
                    "Status": "ACTIVE",
                    "State": "ACTIVE",
                    "JoinedMethod": "INVITED",
                    "JoinedTimestamp": now_iso(),
                },
            )
            for member, _key, _secret in self.runtime.settings.accounts:
                if member != account:
                    self.accounts.put(GLOBAL, member, self._declared_account(org, member))
            self.structure(org)
        self._changed()
        return {"Organization": org}

    def _declared_account(self, org: Params, account_id: str) -> Params:
        """An account declared up front: a member of the organization from the start."""
        return {
            "Id": account_id,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:account/{org['Id']}/{account_id}",
            "Email": f"root+{account_id}@pocketcloud.local",
            "Name": f"account-{account_id}",
            "Status": "ACTIVE",
            "State": "ACTIVE",
            "JoinedMethod": "INVITED",
            "JoinedTimestamp": now_iso(),
        }

    def DescribeOrganization(self, ctx: RequestContext, p: Params) -> Params:
        return {"Organization": self._member_organization(ctx)}

    def DeleteOrganization(self, ctx: RequestContext, p: Params) -> Params:
        """The management account deletes its organization once no other account is in it ("The
        organization must be empty of member accounts"); its tree, policies and settings go with it."""
        org = self._require_administrator(ctx, p)
        if any(account != org["MasterAccountId"] for account in self.account_ids()):
            raise org_error("OrganizationNotEmptyException")
        with self.store.transaction():
            for key, _ in list(self.state.scan(GLOBAL)):  # its create-account requests too
                self.state.delete(GLOBAL, key)
            for key, _ in list(self.policies.scan(GLOBAL)):
                self.policies.delete(GLOBAL, key)
            self.remember_departure(self.accounts.get(GLOBAL, org["MasterAccountId"]))
            self.accounts.delete(GLOBAL, org["MasterAccountId"])
        self._changed()
        return {}

    def RemoveAccountFromOrganization(self, ctx: RequestContext, p: Params) -> Params:
        org = self._require_administrator(ctx, p)
        self._depart(org, p["AccountId"])
        return {}

    def LeaveOrganization(self, ctx: RequestContext, p: Params) -> Params:
        self._depart(self._member_organization(ctx), ctx.account_id)
        return {}

    def _depart(self, org: Params, account_id: str) -> None:
        """`account_id` leaves `org`: out of its tree, its policies detached; the account itself (its
        keys, its IAM) stays, a standalone account now."""
        if account_id == org["MasterAccountId"]:
            raise org_error("MasterCannotLeaveOrganizationException")
        account = self.accounts.get(GLOBAL, account_id)
        if account is None:
            raise org_error("AccountNotFoundException")
        self.refuse_departure_of_delegate(account_id)
        with self.store.transaction():
            self.remember_departure(account)
            tree = self.structure(org)
            for part in ("Parents", "Attached", "Tags"):
                tree[part].pop(account_id, None)
            self.accounts.delete(GLOBAL, account_id)
            self.save_structure(tree)

    # -- accounts -------------------------------------------------------------

    def create_account(
        self,
        name: str,
        email: str,
        role_name: str = "OrganizationAccountAccessRole",
        tags: list[Params] | None = None,
    ) -> Params:
        """Make an account with a root key; also what `pocketcloud accounts create` calls."""
        org = self._organization()
        account_id = "".join(random.choices(string.digits, k=12))
        while self.accounts.get(GLOBAL, account_id) is not None:
            account_id = "".join(random.choices(string.digits, k=12))
        key_id, secret = new_id("AKIA", 20), new_secret()
        request_id = "car-" + secrets.token_hex(16)
        created = now_iso()
        account = {
            "Id": account_id,
            "Arn": f"arn:aws:organizations::{org['MasterAccountId']}:account/{org['Id']}/{account_id}",
            "Email": email,
            "Name": name,
            "Status": "ACTIVE",
            "State": "ACTIVE",
            "JoinedMethod": "CREATED",
            "JoinedTimestamp": created,
            "RootAccessKeyId": key_id,
        }
        status = {
            "Id": request_id,
            "AccountName": name,
            "State": "SUCCEEDED",
            "RequestedTimestamp": created,
            "CompletedTimestamp": created,
            "AccountId": account_id,
        }
        with self.store.transaction():
            self.accounts.put(GLOBAL, account_id, account)
            self.root_keys.put(GLOBAL, key_id, {"AccountId": account_id, "SecretAccessKey": secret})
            self.state.put(GLOBAL, request_id, status)
            tree = self.structure(org)
            self.new_target(tree, account_id)  # in the root, with FullAWSAccess while SCPs are enabled
            if tags:
                tree["Tags"][account_id] = {t["Key"]: t["Value"] for t in tags}
            self.save_structure(tree)
            iam = self.runtime.provider("iam")
            if iam is not None:
                iam.create_role_in_account(  # type: ignore[attr-defined]
                    account_id,
                    role_name,
                    ACCESS_ROLE_TRUST % org["MasterAccountId"],
                    "arn:aws:iam::aws:policy/AdministratorAccess",
                )
        return {"Status": status, "AccessKeyId": key_id, "SecretAccessKey": secret}

    def root_credentials(self, account_id: str) -> Params | None:
        account = self.accounts.get(GLOBAL, account_id)
        if account is None or "RootAccessKeyId" not in account:
            return None
        key = self.root_keys.get(GLOBAL, account["RootAccessKeyId"]) or {}
        return {
            "AccountId": account_id,
            "AccessKeyId": account["RootAccessKeyId"],
            "SecretAccessKey": key.get("SecretAccessKey"),
        }

    def CreateAccount(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        for _, existing in self.store.iter_collection("organizations", "accounts", GLOBAL):
            if existing["Email"] == p["Email"]:
                return {"CreateAccountStatus": self._failed_request(p["AccountName"], "EMAIL_ALREADY_EXISTS")}
        created = self.create_account(
            p["AccountName"], p["Email"], p.get("RoleName") or "OrganizationAccountAccessRole", p.get("Tags")
        )
        return {"CreateAccountStatus": created["Status"]}

    def _failed_request(self, name: str, reason: str) -> Params:
        """A create-account request that failed. CreateAccount is asynchronous and has no error for
        an email already in use: its request fails, and DescribeCreateAccountStatus reports why
        (State FAILED, FailureReason EMAIL_ALREADY_EXISTS), as the API reference documents."""
        now = now_iso()
        status = {
            "Id": "car-" + secrets.token_hex(16),
            "AccountName": name,
            "State": "FAILED",
            "RequestedTimestamp": now,
            "CompletedTimestamp": now,
            "FailureReason": reason,
        }
        self.state.put(GLOBAL, status["Id"], status)
        return status

    def DescribeCreateAccountStatus(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        status = self.state.get(GLOBAL, p["CreateAccountRequestId"])
        if status is None:
            raise _org_error(
                "CreateAccountStatusNotFoundException",
                "We can't find an create account request with the CreateAccountRequestId that you specified.",
            )
        return {"CreateAccountStatus": status}

    def ListCreateAccountStatus(self, ctx: RequestContext, p: Params) -> Params:
        """The organization's create-account requests, oldest first, of the given States if any."""
        self._require_administrator(ctx, p)
        states = set(p.get("States") or ())
        found = [
            status
            for _, status in self.state.scan(GLOBAL, prefix="car-")
            if not states or status["State"] in states
        ]
        found.sort(key=lambda status: (status["RequestedTimestamp"], status["Id"]))
        return page(found, p, "CreateAccountStatuses")

    def _public(self, account: Params) -> Params:
        """An account as the Account shape answers it, with its path in the organization
        ("o-.../r-.../ou-.../<account>/", the documented DescribeAccount and ListAccounts answers)."""
        view = {k: v for k, v in account.items() if k != "RootAccessKeyId"}
        found = self.membership(account["Id"])
        if found is not None:
            view["Paths"] = [f"{found[1]}{account['Id']}/"]
        return view

    def DescribeAccount(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        account = self.accounts.get(GLOBAL, p["AccountId"])
        if account is None:
            raise _org_error("AccountNotFoundException", "You specified an account that doesn't exist.")
        return {"Account": self._public(account)}

    def CloseAccount(self, ctx: RequestContext, p: Params) -> Params:
        """Close a member account. On AWS the account is PENDING_CLOSURE for a few minutes and then
        SUSPENDED, still listed in the organization for 90 days; here it is SUSPENDED at once."""
        org = self._require_administrator(ctx, p)
        account_id = p["AccountId"]
        account = self.accounts.get(GLOBAL, account_id)
        if account is None:
            raise org_error("AccountNotFoundException")
        if account_id == org["MasterAccountId"]:
            raise org_error("ConstraintViolationException", Reason="CANNOT_CLOSE_MANAGEMENT_ACCOUNT")
        if account.get("Status") in ("PENDING_CLOSURE", "SUSPENDED"):
            raise org_error("AccountAlreadyClosedException")
        self.refuse_departure_of_delegate(account_id)
        account["Status"] = account["State"] = "SUSPENDED"
        self.accounts.put(GLOBAL, account_id, account)
        return {}

    def ListAccounts(self, ctx: RequestContext, p: Params) -> Params:
        self._require_administrator(ctx, p)
        limit = p.get("MaxResults") or 20
        token = p.get("NextToken")
        if token is not None and not (is_digits(token, 12) and len(token) == 12):
            raise invalid_token()  # a token is the last account id of the page before
        page = self.accounts.scan(GLOBAL, start_after=token, limit=limit + 1)
        result: Params = {"Accounts": [self._public(a) for _, a in page[:limit]]}
        if len(page) > limit:
            result["NextToken"] = page[limit - 1][0]
        return result
