"""Grants: a grant lets its grantee use a key for the grant's operations without any IAM policy,
under its encryption-context constraints, until it is retired or revoked ("Grants in AWS KMS")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.kms.support import ROOT_ARN, allow, error_of, iam_user, policy


def test_a_grant_lets_its_grantee_use_the_key_until_it_is_revoked(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)  # no policy of its own
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[0] == "AccessDeniedException"
    grant = kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt", "Decrypt"]
    )
    blob = grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"granted")["CiphertextBlob"]
    assert grantee.decrypt(CiphertextBlob=blob)["Plaintext"] == b"granted"
    assert (
        error_of(grantee.generate_data_key, KeyId=key["KeyId"], KeySpec="AES_256")[0]
        == "AccessDeniedException"
    )
    kms.revoke_grant(KeyId=key["KeyId"], GrantId=grant["GrantId"])
    assert error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x")[0] == "AccessDeniedException"


def test_list_grants_shows_the_grant_without_its_token(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    made = kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Decrypt"],
        Name="reader",
        RetiringPrincipal=grantee_arn,
    )
    (grant,) = kms.list_grants(KeyId=key["Arn"])["Grants"]
    assert {
        k: grant[k]
        for k in ("KeyId", "GrantId", "Name", "GranteePrincipal", "RetiringPrincipal", "Operations")
    } == {
        "KeyId": key["Arn"],
        "GrantId": made["GrantId"],
        "Name": "reader",
        "GranteePrincipal": grantee_arn,
        "RetiringPrincipal": grantee_arn,
        "Operations": ["Decrypt"],
    }
    assert grant["IssuingAccount"] == "arn:aws:iam::000000000000:root"
    assert "GrantToken" not in grant
    assert kms.list_retirable_grants(RetiringPrincipal=grantee_arn)["Grants"][0]["GrantId"] == made["GrantId"]


def test_a_named_grant_created_twice_is_one_grant(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    first, second = (
        kms.create_grant(
            KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt"], Name="once"
        )
        for _ in range(2)
    )
    assert first["GrantId"] == second["GrantId"]
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


def test_encryption_context_constraints_limit_what_the_grant_allows(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextSubset": {"tenant": "a"}},
    )
    grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "a"})
    denied = error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "b"})
    assert denied[0] == "AccessDeniedException"


def test_retiring_by_token_removes_the_grant(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt"])
    kms.retire_grant(GrantToken=grant["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
    assert error_of(kms.revoke_grant, KeyId=key["KeyId"], GrantId=grant["GrantId"])[:2] == (
        "NotFoundException",
        400,
    )


def test_a_grant_refuses_operations_its_key_cannot_do(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    code, status, _ = error_of(
        kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Sign"]
    )
    assert (code, status) == ("ValidationException", 400)


# -- what a grant may name, and what CreateGrant requires ------------------------------------------
# "Valid principals include Amazon Web Services accounts, IAM users, IAM roles, federated users, and
# assumed role users" (CreateGrant, GranteePrincipal / RetiringPrincipal); anything else is refused
# with InvalidArnException, in the words AWS answers for a principal it cannot resolve ("ARN does not
# refer to a valid principal: ...", as Lambda quotes KMS's CreateGrant refusal).


@pytest.mark.parametrize("member", ["GranteePrincipal", "RetiringPrincipal"])
@pytest.mark.parametrize("value", ["foo", "123456789012", "arn:aws:iam::000000000000:group/admins"])
def test_a_grant_refuses_a_principal_that_is_no_principals_arn(
    kms: Any, endpoint: str, member: str, value: str
) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    arguments = {"GranteePrincipal": grantee_arn, member: value}
    code, status, message = error_of(kms.create_grant, KeyId=key["KeyId"], Operations=["Decrypt"], **arguments)
    assert (code, status) == ("InvalidArnException", 400)
    assert message == f"ARN does not refer to a valid principal: {value}"
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


@pytest.mark.parametrize(
    "principal",
    [
        "arn:aws:iam::111122223333:root",
        "arn:aws:iam::111122223333:user/path/alice",
        "arn:aws:iam::111122223333:role/reader",
        "arn:aws:sts::111122223333:assumed-role/reader/session",
        "arn:aws:sts::111122223333:federated-user/bob",
    ],
)
def test_a_grant_takes_the_arn_of_each_kind_of_principal(kms: Any, principal: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=principal, RetiringPrincipal=principal, Operations=["Decrypt"])
    (grant,) = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert (grant["GranteePrincipal"], grant["RetiringPrincipal"]) == (principal, principal)


def test_a_grant_takes_a_services_principal_as_grantee_and_retiring_principal(kms: Any) -> None:
    # AWS services' own grants name the service there (the Terraform AWS provider's TestAccKMSGrant_service
    # makes this grant against AWS and reads both back).
    key = kms.create_key()["KeyMetadata"]
    service = "dynamodb.us-west-1.amazonaws.com"
    kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=service, RetiringPrincipal=service, Operations=["Encrypt"])
    (grant,) = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert (grant["GranteePrincipal"], grant["RetiringPrincipal"]) == (service, service)


def test_a_refused_grant_leaves_the_key_policy_deciding(kms: Any, endpoint: str) -> None:
    """The review's case: a grant to "foo" was made, merged into the key policy, and the policy no
    longer parsed, so a Deny of the key policy stopped applying."""
    user_arn, user = iam_user(endpoint, policy(allow(None, "kms:*")))
    key_policy = policy(
        allow({"AWS": ROOT_ARN}, "kms:*"),
        {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "kms:Encrypt", "Resource": "*"},
    )
    key = kms.create_key(Policy=key_policy)["KeyMetadata"]
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal="foo", Operations=["Encrypt"])[0] == (
        "InvalidArnException"
    )
    code, _, message = error_of(user.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in a resource-based policy")


def test_create_grant_without_a_grantee_is_a_validation_error(kms: Any) -> None:
    """GranteePrincipal is optional in the model (GranteeServicePrincipal is the other way to name
    the grantee), but "You must specify either GranteePrincipal or GranteeServicePrincipal"."""
    key = kms.create_key()["KeyMetadata"]
    code, status, _ = error_of(kms.create_grant, KeyId=key["KeyId"], Operations=["Decrypt"])
    assert (code, status) == ("ValidationException", 400)
    code, status, _ = error_of(
        kms.create_grant,
        KeyId=key["KeyId"],
        Operations=["Decrypt"],
        GranteePrincipal=ROOT_ARN,
        GranteeServicePrincipal="logs.amazonaws.com",
    )
    assert (code, status) == ("ValidationException", 400)


def test_create_grant_with_no_operations_is_a_validation_error(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    code, status, message = error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=[])
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value '[]' at 'operations' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1"
    )
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_list_retirable_grants_without_a_retiring_principal_is_a_validation_error(kms: Any) -> None:
    """Neither RetiringPrincipal nor RetiringServicePrincipal is required by the model, but one of
    them must be given (it was a KeyError, answered 500)."""
    code, status, _ = error_of(kms.list_retirable_grants)
    assert (code, status) == ("ValidationException", 400)


def test_encryption_context_equals_needs_exactly_its_pairs(kms: Any, endpoint: str) -> None:
    """EncryptionContextEquals: "The grant allows the operation only when the encryption context in
    the request is the same as the encryption context specified in this constraint" (GrantConstraints);
    extra pairs, which EncryptionContextSubset allows, are refused."""
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt", "DescribeKey"],
        Constraints={"EncryptionContextEquals": {"tenant": "a"}},
    )
    grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "a"})
    for context in ({"tenant": "a", "extra": "pair"}, {"tenant": "b"}, {}):
        code, _, _ = error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext=context)
        assert code == "AccessDeniedException", context
    # "the constraint doesn't apply to" DescribeKey
    assert grantee.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]


def test_encryption_context_subset_allows_extra_pairs(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextSubset": {"tenant": "a"}},
    )
    grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"tenant": "a", "extra": "pair"})


def test_a_constraint_value_with_a_dollar_is_literal(kms: Any, endpoint: str) -> None:
    """A key policy of version 2012-10-17 substitutes ${...} in condition values; a grant's context
    value is compared as written."""
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key["KeyId"],
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextEquals": {"who": "${aws:username}"}},
    )
    grantee.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"who": "${aws:username}"})
    user_name = grantee_arn.rsplit("/", 1)[-1]
    code, _, _ = error_of(grantee.encrypt, KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"who": user_name})
    assert code == "AccessDeniedException"


def test_a_grant_for_a_service_principal_needs_a_source_arn_and_a_retiring_principal(kms: Any) -> None:
    """GranteeServicePrincipal: "you must also specify a SourceArn grant constraint. In addition, you
    must specify either a RetiringPrincipal or a RetiringServicePrincipal"."""
    key = kms.create_key()["KeyMetadata"]
    source = "arn:aws:logs:us-east-1:000000000000:log-group:mine"
    for arguments in (
        {"RetiringPrincipal": ROOT_ARN},
        {"Constraints": {"SourceArn": source}},
    ):
        code, status, _ = error_of(
            kms.create_grant,
            KeyId=key["KeyId"],
            GranteeServicePrincipal="logs.amazonaws.com",
            Operations=["Decrypt"],
            **arguments,
        )
        assert (code, status) == ("ValidationException", 400)
    made = kms.create_grant(
        KeyId=key["KeyId"],
        GranteeServicePrincipal="logs.amazonaws.com",
        RetiringServicePrincipal="logs.amazonaws.com",
        Operations=["Decrypt"],
        Constraints={"SourceArn": source},
    )
    (grant,) = kms.list_grants(KeyId=key["KeyId"])["Grants"]
    assert grant["GrantId"] == made["GrantId"]
    assert grant["GranteeServicePrincipal"] == "logs.amazonaws.com"
    assert "GranteePrincipal" not in grant
    listed = kms.list_retirable_grants(RetiringServicePrincipal="logs.amazonaws.com")["Grants"]
    assert made["GrantId"] in [g["GrantId"] for g in listed]


# -- who may retire a grant ("Retiring and revoking grants") --------------------------------------


def test_the_retiring_principal_retires_a_grant_without_any_policy(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, _ = iam_user(endpoint)
    retiring_arn, retiring = iam_user(endpoint)  # no policy of its own
    grant = kms.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=grantee_arn, RetiringPrincipal=retiring_arn, Operations=["Encrypt"]
    )
    retiring.retire_grant(GrantToken=grant["GrantToken"])
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_a_principal_the_grant_does_not_name_cannot_retire_it(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    grantee_arn, grantee = iam_user(endpoint)
    grant = kms.create_grant(KeyId=key["KeyId"], GranteePrincipal=grantee_arn, Operations=["Encrypt"])
    code, status, _ = error_of(grantee.retire_grant, KeyId=key["Arn"], GrantId=grant["GrantId"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert len(kms.list_grants(KeyId=key["KeyId"])["Grants"]) == 1


# --- Paging: "KMS does not return more than the specified number of items" (ListGrants and
# ListRetirableGrants Limit: 1 to 100, 50 without one; the API reference of both). -----------------

def test_list_grants_pages_by_limit_and_marker(kms: Any, endpoint: str) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    grantee_arn, _ = iam_user(endpoint)
    made = {
        kms.create_grant(KeyId=key_id, GranteePrincipal=grantee_arn, Operations=["Decrypt"])["GrantId"]
        for _ in range(3)
    }
    first = kms.list_grants(KeyId=key_id, Limit=2)
    assert len(first["Grants"]) == 2
    assert first["Truncated"] is True
    second = kms.list_grants(KeyId=key_id, Limit=2, Marker=first["NextMarker"])
    assert len(second["Grants"]) == 1
    assert second["Truncated"] is False
    assert "NextMarker" not in second
    assert {g["GrantId"] for g in first["Grants"] + second["Grants"]} == made


def test_list_grants_answers_fifty_grants_without_a_limit(kms: Any, endpoint: str) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    grantee_arn, _ = iam_user(endpoint)
    for _ in range(51):
        kms.create_grant(KeyId=key_id, GranteePrincipal=grantee_arn, Operations=["Decrypt"])
    page = kms.list_grants(KeyId=key_id)
    assert len(page["Grants"]) == 50
    assert page["Truncated"] is True
    everything = kms.get_paginator("list_grants").paginate(KeyId=key_id).build_full_result()["Grants"]
    assert len({g["GrantId"] for g in everything}) == 51


def test_list_retirable_grants_pages_by_limit_and_marker(kms: Any, endpoint: str) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    grantee_arn, _ = iam_user(endpoint)
    retiring_arn, _ = iam_user(endpoint)
    made = {
        kms.create_grant(
            KeyId=key_id, GranteePrincipal=grantee_arn, RetiringPrincipal=retiring_arn, Operations=["Decrypt"]
        )["GrantId"]
        for _ in range(3)
    }
    first = kms.list_retirable_grants(RetiringPrincipal=retiring_arn, Limit=2)
    assert len(first["Grants"]) == 2
    assert first["Truncated"] is True
    second = kms.list_retirable_grants(RetiringPrincipal=retiring_arn, Limit=2, Marker=first["NextMarker"])
    assert [second["Truncated"], len(second["Grants"])] == [False, 1]
    assert {g["GrantId"] for g in first["Grants"] + second["Grants"]} == made


def test_an_equals_constraint_matches_context_keys_in_any_case(kms: Any, endpoint: str) -> None:
    # GrantConstraints: "in a grant constraint, the key in each key-value pair is not case sensitive,
    # but the value is case sensitive."
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    grantee_arn, grantee = iam_user(endpoint)
    kms.create_grant(
        KeyId=key_id,
        GranteePrincipal=grantee_arn,
        Operations=["Encrypt"],
        Constraints={"EncryptionContextEquals": {"Dept": "eng"}},
    )
    grantee.encrypt(KeyId=key_id, Plaintext=b"x", EncryptionContext={"dept": "eng"})
    denied = [{"dept": "ENG"}, {"dept": "eng", "other": "x"}, {}]
    for context in denied:
        code, _, _ = error_of(grantee.encrypt, KeyId=key_id, Plaintext=b"x", EncryptionContext=context)
        assert code == "AccessDeniedException"


def test_a_grantee_that_does_not_exist_is_no_valid_principal(kms: Any) -> None:
    # InvalidArnException, which the Terraform AWS provider retries CreateGrant on while a new role
    # propagates, and whose words Lambda passes on ("ARN does not refer to a valid principal: ...").
    key = kms.create_key()["KeyMetadata"]
    ghost = f"{ROOT_ARN[:-len('root')]}role/no-such-role-{key['KeyId'][:8]}"
    assert error_of(kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=ghost, Operations=["Decrypt"]) == (
        "InvalidArnException", 400, f"ARN does not refer to a valid principal: {ghost}",
    )
    assert error_of(
        kms.create_grant, KeyId=key["KeyId"], GranteePrincipal=ROOT_ARN, RetiringPrincipal=ghost, Operations=["Decrypt"]
    )[0] == "InvalidArnException"
    assert kms.list_grants(KeyId=key["KeyId"])["Grants"] == []
