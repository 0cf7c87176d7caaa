"""iam:ChangePassword through boto3: an IAM user changes its own console password, the old
one must match, the account password policy (or AWS's default one) applies, and who may not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_client
from tests.services.iam.support import Caller, allow, doc, error_of, unique

FIRST, SECOND = "First-Passw0rd!", "Second-Passw0rd!"




@pytest.fixture
def no_password_policy(iam: Any) -> Iterator[None]:
    """The account's password policy is account-wide: whatever a test sets is removed after it."""
    yield
    try:
        iam.delete_account_password_policy()
    except iam.exceptions.NoSuchEntityException:
        pass


def _user_with_password(endpoint: str, iam: Any, may_change: bool = True) -> Caller:
    caller = Caller(endpoint, iam)
    if may_change:
        statement = allow("iam:ChangePassword", caller.arn)
        iam.put_user_policy(UserName=caller.name, PolicyName="own-password", PolicyDocument=doc(statement))
    iam.create_login_profile(UserName=caller.name, Password=FIRST)
    return caller


def test_a_user_changes_its_password_and_the_old_one_stops_matching(endpoint: str, iam: Any) -> None:
    own = _user_with_password(endpoint, iam).client("iam")
    own.change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword="Third-Passw0rd!")[:2] == (
        "InvalidUserType",
        400,
    )
    own.change_password(OldPassword=SECOND, NewPassword="Third-Passw0rd!")


def test_a_wrong_old_password_is_refused(endpoint: str, iam: Any) -> None:
    own = _user_with_password(endpoint, iam).client("iam")
    assert error_of(own.change_password, OldPassword="Not-The-Passw0rd", NewPassword=SECOND)[:2] == (
        "InvalidUserType",
        400,
    )


def test_changing_the_password_clears_password_reset_required(endpoint: str, iam: Any) -> None:
    caller = _user_with_password(endpoint, iam)
    iam.update_login_profile(UserName=caller.name, PasswordResetRequired=True)
    caller.client("iam").change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert iam.get_login_profile(UserName=caller.name)["LoginProfile"]["PasswordResetRequired"] is False


def test_a_user_without_a_login_profile_has_no_password_to_change(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    iam.put_user_policy(UserName=caller.name, PolicyName="p", PolicyDocument=doc(allow("iam:ChangePassword")))
    assert error_of(caller.client("iam").change_password, OldPassword=FIRST, NewPassword=SECOND) == (
        "NoSuchEntity",
        404,
        f"Login Profile for User {caller.name} cannot be found.",
    )


def test_the_root_user_cannot_call_it(iam: Any) -> None:
    assert error_of(iam.change_password, OldPassword=FIRST, NewPassword=SECOND)[:2] == (
        "InvalidUserType",
        400,
    )


def test_a_user_without_iam_change_password_is_denied(endpoint: str, iam: Any) -> None:
    caller = _user_with_password(endpoint, iam, may_change=False)
    code, status, message = error_of(
        caller.client("iam").change_password, OldPassword=FIRST, NewPassword=SECOND
    )
    assert (code, status) == ("AccessDenied", 403)
    assert (
        f"User: {caller.arn} is not authorized to perform: iam:ChangePassword on resource: {caller.arn}"
        in message
    )


@pytest.mark.usefixtures("no_password_policy")
def test_allow_users_to_change_password_lets_every_user_change_its_own(endpoint: str, iam: Any) -> None:
    caller = _user_with_password(endpoint, iam, may_change=False)
    own = caller.client("iam")
    iam.update_account_password_policy(AllowUsersToChangePassword=False)
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword=SECOND)[:2] == ("AccessDenied", 403)
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    own.change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword=SECOND)[:2] == ("InvalidUserType", 400)


@pytest.mark.usefixtures("no_password_policy")
def test_the_account_password_policy_applies_to_the_new_password(endpoint: str, iam: Any) -> None:
    own = _user_with_password(endpoint, iam).client("iam")
    iam.update_account_password_policy(MinimumPasswordLength=20, RequireNumbers=True)
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword=SECOND) == (
        "PasswordPolicyViolation",
        400,
        "Password should have a minimum length of 20",
    )
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword="a-long-password-without-digits") == (
        "PasswordPolicyViolation",
        400,
        "Password should have at least one number",
    )
    own.change_password(OldPassword=FIRST, NewPassword="a-long-passw0rd-with-a-digit")


@pytest.mark.usefixtures("no_password_policy")
def test_password_reuse_prevention_refuses_a_recent_password(endpoint: str, iam: Any) -> None:
    own = _user_with_password(endpoint, iam).client("iam")
    iam.update_account_password_policy(PasswordReusePrevention=2)
    own.change_password(OldPassword=FIRST, NewPassword=SECOND)
    code, status, _ = error_of(own.change_password, OldPassword=SECOND, NewPassword=FIRST)
    assert (code, status) == ("PasswordPolicyViolation", 400)
    assert (
        error_of(own.change_password, OldPassword=SECOND, NewPassword=SECOND)[0] == "PasswordPolicyViolation"
    )


def test_without_a_policy_aws_default_rules_apply(endpoint: str, iam: Any) -> None:
    caller = Caller(endpoint, iam)
    assert error_of(iam.create_login_profile, UserName=caller.name, Password="Sh0rt!") == (
        "PasswordPolicyViolation",
        400,
        "Password should have a minimum length of 8",
    )
    assert error_of(iam.create_login_profile, UserName=caller.name, Password="onlylowercase1") == (
        "PasswordPolicyViolation",
        400,
        "Password should meet 1 more of the following requirements: Password should have at least one "
        "uppercase letter, Password should have at least one symbol",
    )
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_login_profile(UserName=caller.name)


def test_an_administrator_sets_a_new_password_with_update_login_profile(endpoint: str, iam: Any) -> None:
    caller = _user_with_password(endpoint, iam)
    iam.update_login_profile(UserName=caller.name, Password=SECOND)
    own = caller.client("iam")
    assert (
        error_of(own.change_password, OldPassword=FIRST, NewPassword="Third-Passw0rd!")[0]
        == "InvalidUserType"
    )
    own.change_password(OldPassword=SECOND, NewPassword="Third-Passw0rd!")


@pytest.mark.usefixtures("no_password_policy")
def test_allow_users_to_change_password_covers_users_with_a_path(endpoint: str, iam: Any) -> None:
    name = unique("pathed")
    iam.create_user(UserName=name, Path="/team/")
    key = iam.create_access_key(UserName=name)["AccessKey"]
    iam.create_login_profile(UserName=name, Password=FIRST)
    iam.update_account_password_policy(AllowUsersToChangePassword=True)
    own = make_client(endpoint, "iam", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    own.change_password(OldPassword=FIRST, NewPassword=SECOND)
    assert error_of(own.change_password, OldPassword=FIRST, NewPassword=SECOND)[:2] == ("InvalidUserType", 400)
