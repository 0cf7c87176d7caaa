"""IAM users' console passwords: kept only as salted scrypt hashes, checked against the
account password policy (or AWS's default one), and changed by their owner (ChangePassword).

A user's password lives beside its login profile, in the user document's internal
"Password" entry (never returned by any call): the hash of the current password, the
hashes of the previous ones that PasswordReusePrevention may forbid, and when it changed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import no_such_entity, now, scope
from pocketcloud.services.iam.principals import USER, Principals

Params = dict[str, Any]

# scrypt at OWASP's interactive cost: ~30 ms per hash, so a leaked store does not give passwords away.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}
MAX_HISTORY = 24  # PasswordReusePrevention's upper bound
SYMBOLS = frozenset("!@#$%^&*()_+-=[]{}|'")
# AWS's default policy, in force while the account has none: at least 8 characters, at least
# three of the four character types.
_DEFAULT_MIN_LENGTH = 8
_DEFAULT_TYPES_REQUIRED = 3


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **_SCRYPT)


def hash_password(password: str) -> dict[str, str]:
    salt = os.urandom(16)
    return {
        "Salt": base64.b64encode(salt).decode(),
        "Hash": base64.b64encode(_hash(password, salt)).decode(),
    }


def password_matches(stored: dict[str, str], password: str) -> bool:
    expected = base64.b64decode(stored["Hash"])
    return hmac.compare_digest(expected, _hash(password, base64.b64decode(stored["Salt"])))


def password_violation(error: str) -> ServiceError:
    return ServiceError("PasswordPolicyViolation", error, status=400)


_TYPE_RULES = (
    ("RequireUppercaseCharacters", "Password should have at least one uppercase letter", str.isupper),
    ("RequireLowercaseCharacters", "Password should have at least one lowercase letter", str.islower),
    ("RequireNumbers", "Password should have at least one number", str.isdigit),
    ("RequireSymbols", "Password should have at least one symbol", SYMBOLS.__contains__),
)


def _has(password: str, test: Any) -> bool:
    # Only basic Latin letters and digits count, as in AWS's policy ("A-Z", "a-z", "0-9").
    return any(c.isascii() and test(c) for c in password)


def check_password(policy: Params | None, password: str) -> None:
    """PasswordPolicyViolation with AWS's wording when `password` breaks the policy."""
    minimum = policy["MinimumPasswordLength"] if policy else _DEFAULT_MIN_LENGTH
    if len(password) < minimum:
        raise password_violation(f"Password should have a minimum length of {minimum}")
    missing = [
        message
        for rule, message, test in _TYPE_RULES
        if not _has(password, test) and (policy is None or policy.get(rule))
    ]
    if policy is not None:
        if missing:
            raise password_violation(", ".join(missing))
        return
    short = _DEFAULT_TYPES_REQUIRED - (len(_TYPE_RULES) - len(missing))
    if short > 0:
        raise password_violation(
            f"Password should meet {short} more of the following requirements: " + ", ".join(missing)
        )


class PasswordOperations:
    principals: Principals
    store: Any

    def _password_policy(self, ctx: RequestContext) -> Params | None:
        policy: Params | None = self.store.collection("iam", "account_settings").get(
            scope(ctx), "password_policy"
        )
        return policy

    async def new_password(
        self,
        ctx: RequestContext,
        user: Params,
        password: str,
        check_reuse: bool = False,
        old: str | None = None,
    ) -> Params:
        """The "Password" entry that replaces `user`'s: `password` checked against the account's
        policy, hashed. With `check_reuse`, a password among the last PasswordReusePrevention ones
        is refused (ChangePassword; an administrator's UpdateLoginProfile is not bound); with `old`,
        it must be the current password. scrypt runs in a worker thread, outside any transaction:
        each hash costs tens of milliseconds the event loop must not wait for. The caller stores the
        entry with `store_password`, which checks that nobody changed the password meanwhile."""
        policy = self._password_policy(ctx)
        check_password(policy, password)
        reuse = int(policy.get("PasswordReusePrevention") or 0) if policy and check_reuse else 0
        return await asyncio.to_thread(_replacement, user.get("Password"), password, reuse, old)

    def store_password(self, user: Params, seen: Params, entry: Params) -> None:
        """Put `entry` on `user` (read again in the caller's transaction), unless its password is no
        longer the one `entry` was made from (`seen`'s): a concurrent change wins, and this one fails."""
        if user.get("Password") != seen.get("Password"):
            raise ServiceError(
                "EntityTemporarilyUnmodifiable",
                f"Login Profile for User {user['UserName']} cannot be modified while its password is being changed.",
                status=409,
            )
        user["Password"] = entry

    async def ChangePassword(self, ctx: RequestContext, p: Params) -> Params:
        principal = ctx.principal
        if principal.kind != "User":
            # The root user's password is not IAM's, and a role session has none.
            raise ServiceError("InvalidUserType", "Only IAM users can change their own password.", status=400)
        name = principal.name
        seen = self.principals.get(ctx, USER, name)
        if not seen.get("LoginProfile"):
            raise no_such_entity(f"Login Profile for User {name} cannot be found.")
        entry = await self.new_password(ctx, seen, p["NewPassword"], check_reuse=True, old=p["OldPassword"])
        with self.principals.store.transaction():
            user = self.principals.get(ctx, USER, name)
            if not user.get("LoginProfile"):
                raise no_such_entity(f"Login Profile for User {name} cannot be found.")
            self.store_password(user, seen, entry)
            # A password the user chose is no longer one an administrator asked to be reset.
            user["LoginProfile"]["PasswordResetRequired"] = False
            self.principals.save(ctx, USER, user)
        return {}


def _replacement(current: Params | None, password: str, reuse: int, old: str | None) -> Params:
    """The new "Password" entry (runs in a worker thread: every step here is a scrypt hash)."""
    if old is not None and (current is None or not password_matches(current, old)):
        raise ServiceError("InvalidUserType", "The old password is incorrect.", status=400)
    history = list(current.get("History", [])) if current else []
    if current:
        history.insert(0, {"Salt": current["Salt"], "Hash": current["Hash"]})
    if reuse and any(password_matches(previous, password) for previous in history[:reuse]):
        raise password_violation(
            "Policy constraint violation with password reuse prevention during password change."
        )
    return {**hash_password(password), "History": history[:MAX_HISTORY], "LastChanged": now().isoformat()}
