"""Aliases: CreateAlias, UpdateAlias, DeleteAlias and ListAliases (with its KeyId filter), and
the use of an alias wherever a KeyId is taken.

The wording for a name without the "alias/" prefix is AWS's, recorded in LocalStack's
AWS-validated snapshot (tests/aws/services/kms/test_kms.snapshot.json, test_create_alias)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.services.kms.support import ROOT_ARN, alias_arn, allow, error_of, iam_user, policy, unique_alias


def aliases_of(kms: Any, **kwargs: Any) -> dict[str, dict[str, Any]]:
    found = kms.get_paginator("list_aliases").paginate(**kwargs).build_full_result()["Aliases"]
    return {alias["AliasName"]: alias for alias in found}


def test_create_alias_is_listed_with_its_arn_and_target(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=key_id)
    alias = aliases_of(kms)[name]
    assert alias["AliasArn"] == alias_arn(name)
    assert alias["TargetKeyId"] == key_id


def test_create_alias_accepts_the_key_arn_as_target(kms: Any) -> None:
    created = kms.create_key()["KeyMetadata"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=created["Arn"])
    assert aliases_of(kms)[name]["TargetKeyId"] == created["KeyId"]


def test_list_aliases_with_key_id_lists_only_that_keys_aliases(kms: Any) -> None:
    aliased = kms.create_key()["KeyMetadata"]["KeyId"]
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    first, second, foreign = unique_alias("a"), unique_alias("b"), unique_alias("c")
    kms.create_alias(AliasName=first, TargetKeyId=aliased)
    kms.create_alias(AliasName=second, TargetKeyId=aliased)
    kms.create_alias(AliasName=foreign, TargetKeyId=other)
    listed = aliases_of(kms, KeyId=aliased)
    assert set(listed) == {first, second}
    assert all(alias["TargetKeyId"] == aliased for alias in listed.values())


def test_list_aliases_of_a_key_without_aliases_is_empty(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == []


def test_list_aliases_with_unknown_key_id_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.list_aliases, KeyId=str(uuid.uuid4()))
    assert (code, status) == ("NotFoundException", 400)


def test_alias_name_without_alias_prefix_is_rejected(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, message = error_of(kms.create_alias, AliasName=f"plain-{uuid.uuid4().hex[:8]}", TargetKeyId=key_id)
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        'Alias must start with the prefix "alias/". '
        "Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html"
    )


def test_alias_name_with_a_colon_is_refused_though_the_models_pattern_allows_it(kms: Any) -> None:
    # KMS allows letters, digits, "/", "_" and "-" (CreateAlias's reference); the wording is moto's,
    # which tests a colon apart from the characters the model's pattern already refuses.
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    name = f"alias/my:{uuid.uuid4().hex[:8]}"
    assert error_of(kms.create_alias, AliasName=name, TargetKeyId=key_id) == (
        "ValidationException",
        400,
        f"{name} contains invalid characters for an alias",
    )


def test_alias_aws_prefix_is_reserved_for_aws_managed_keys(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    name = f"alias/aws/{uuid.uuid4().hex[:8]}"
    code, status, _ = error_of(kms.create_alias, AliasName=name, TargetKeyId=key_id)
    # The API Reference says only that the prefix is reserved; AWS answers NotAuthorizedException
    # (the code SDK-compatible emulators reproduce); InvalidAliasNameException is CreateAlias's
    # documented error for an invalid name.
    assert code in {"NotAuthorizedException", "InvalidAliasNameException"}
    assert status == 400
    assert name not in aliases_of(kms)


def test_duplicate_alias_name_already_exists(kms: Any) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=first)
    code, status, _ = error_of(kms.create_alias, AliasName=name, TargetKeyId=second)
    assert (code, status) == ("AlreadyExistsException", 400)
    assert aliases_of(kms)[name]["TargetKeyId"] == first


def test_create_alias_for_unknown_key_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.create_alias, AliasName=unique_alias(), TargetKeyId=str(uuid.uuid4()))
    assert (code, status) == ("NotFoundException", 400)


def test_update_alias_points_the_alias_at_another_key(kms: Any) -> None:
    old = kms.create_key()["KeyMetadata"]["KeyId"]
    new = kms.create_key()["KeyMetadata"]["KeyId"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=old)
    kms.update_alias(AliasName=name, TargetKeyId=new)
    assert aliases_of(kms)[name]["TargetKeyId"] == new
    assert name in aliases_of(kms, KeyId=new)
    assert name not in aliases_of(kms, KeyId=old)
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == new


def test_update_unknown_alias_is_not_found(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    code, status, _ = error_of(kms.update_alias, AliasName=unique_alias("missing"), TargetKeyId=key_id)
    assert (code, status) == ("NotFoundException", 400)


def test_delete_alias_removes_it_but_not_the_key(kms: Any) -> None:
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=key_id)
    kms.delete_alias(AliasName=name)
    assert name not in aliases_of(kms)
    code, status, _ = error_of(kms.describe_key, KeyId=name)
    assert (code, status) == ("NotFoundException", 400)
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


def test_delete_unknown_alias_is_not_found(kms: Any) -> None:
    code, status, _ = error_of(kms.delete_alias, AliasName=unique_alias("missing"))
    assert (code, status) == ("NotFoundException", 400)


def test_deleted_alias_name_can_be_created_again(kms: Any) -> None:
    first = kms.create_key()["KeyMetadata"]["KeyId"]
    second = kms.create_key()["KeyMetadata"]["KeyId"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=first)
    kms.delete_alias(AliasName=name)
    kms.create_alias(AliasName=name, TargetKeyId=second)
    assert aliases_of(kms)[name]["TargetKeyId"] == second


@pytest.mark.parametrize("form", ["alias_name", "alias_arn"])
def test_encrypt_and_decrypt_accept_an_alias_as_key_id(kms: Any, form: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    name = unique_alias()
    kms.create_alias(AliasName=name, TargetKeyId=key["KeyId"])
    key_id = name if form == "alias_name" else alias_arn(name)
    encrypted = kms.encrypt(KeyId=key_id, Plaintext=b"through an alias")
    assert encrypted["KeyId"] == key["Arn"]
    decrypted = kms.decrypt(CiphertextBlob=encrypted["CiphertextBlob"], KeyId=key_id)
    assert decrypted["Plaintext"] == b"through an alias"
    assert decrypted["KeyId"] == key["Arn"]


# -- who may change an alias ("Controlling access to aliases") ------------------------------------
# UpdateAlias needs kms:UpdateAlias on the alias (IAM policy) and on the current and the new key
# (their key policies); DeleteAlias kms:DeleteAlias on the alias and on its key; CreateAlias
# kms:CreateAlias on the alias and on its key.


def _key_denying(kms: Any, user_arn: str) -> dict[str, Any]:
    """A key whose policy denies the user every kms action (the account may do anything)."""
    key_policy = policy(
        allow({"AWS": ROOT_ARN}),
        {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "kms:*", "Resource": "*"},
    )
    created: dict[str, Any] = kms.create_key(Policy=key_policy)["KeyMetadata"]
    return created


def test_delete_alias_needs_delete_alias_on_its_key(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint, policy(allow(None, "kms:*")))
    guarded = _key_denying(kms, user_arn)
    name = unique_alias("guarded")
    kms.create_alias(AliasName=name, TargetKeyId=guarded["KeyId"])
    code, status, message = error_of(user.delete_alias, AliasName=name)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {user_arn} is not authorized to perform: kms:DeleteAlias on resource: {guarded['Arn']} "
        "with an explicit deny in a resource-based policy"
    )
    assert aliases_of(kms)[name]["TargetKeyId"] == guarded["KeyId"]


def test_update_alias_needs_update_alias_on_the_current_key(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint, policy(allow(None, "kms:*")))
    guarded = _key_denying(kms, user_arn)
    mine = kms.create_key()["KeyMetadata"]
    name = unique_alias("guarded")
    kms.create_alias(AliasName=name, TargetKeyId=guarded["KeyId"])
    code, _, message = error_of(user.update_alias, AliasName=name, TargetKeyId=mine["KeyId"])
    assert code == "AccessDeniedException"
    assert f"kms:UpdateAlias on resource: {guarded['Arn']} with an explicit deny" in message
    assert aliases_of(kms)[name]["TargetKeyId"] == guarded["KeyId"]


def test_update_alias_needs_update_alias_on_the_new_key(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint, policy(allow(None, "kms:*")))
    guarded = _key_denying(kms, user_arn)
    mine = kms.create_key()["KeyMetadata"]
    name = unique_alias("mine")
    kms.create_alias(AliasName=name, TargetKeyId=mine["KeyId"])
    code, _, message = error_of(user.update_alias, AliasName=name, TargetKeyId=guarded["KeyId"])
    assert code == "AccessDeniedException"
    assert f"kms:UpdateAlias on resource: {guarded['Arn']} with an explicit deny" in message
    other = kms.create_key()["KeyMetadata"]
    user.update_alias(AliasName=name, TargetKeyId=other["KeyId"])  # both keys allow it
    assert aliases_of(kms)[name]["TargetKeyId"] == other["KeyId"]


def test_create_alias_needs_create_alias_on_the_key(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint, policy(allow(None, "kms:*")))
    guarded = _key_denying(kms, user_arn)
    name = unique_alias("guarded")
    code, _, message = error_of(user.create_alias, AliasName=name, TargetKeyId=guarded["KeyId"])
    assert code == "AccessDeniedException"
    assert f"kms:CreateAlias on resource: {guarded['Arn']} with an explicit deny" in message
    assert name not in aliases_of(kms)


def test_alias_operations_need_the_action_on_the_alias_in_an_iam_policy(kms: Any, endpoint: str) -> None:
    """A key policy naming the user does not let it change aliases: the alias is authorized by IAM
    policies only."""
    user_arn, user = iam_user(endpoint)
    key = kms.create_key(Policy=policy(allow({"AWS": ROOT_ARN}), allow({"AWS": user_arn})))["KeyMetadata"]
    name = unique_alias("iam-only")
    code, _, message = error_of(user.create_alias, AliasName=name, TargetKeyId=key["KeyId"])
    assert code == "AccessDeniedException"
    assert f"kms:CreateAlias on resource: {alias_arn(name)} because no identity-based policy" in message
    # An IAM policy allowing the alias, with a key policy that delegates the key to IAM policies too
    # (the default key policy): "kms:CreateAlias on the alias (IAM policy), on the KMS key (key policy)".
    other = kms.create_key()["KeyMetadata"]
    statement = {"Effect": "Allow", "Action": "kms:*Alias", "Resource": [alias_arn(name), other["Arn"]]}
    _, allowed = iam_user(endpoint, policy(statement))
    allowed.create_alias(AliasName=name, TargetKeyId=other["KeyId"])
    allowed.delete_alias(AliasName=name)
    assert name not in aliases_of(kms)
    _, key_only = iam_user(endpoint, policy({**statement, "Resource": other["Arn"]}))
    assert error_of(key_only.create_alias, AliasName=name, TargetKeyId=other["KeyId"])[0] == "AccessDeniedException"
    kms.create_alias(AliasName=name, TargetKeyId=other["KeyId"])
    code, _, message = error_of(key_only.delete_alias, AliasName=name)
    assert code == "AccessDeniedException"
    assert f"kms:DeleteAlias on resource: {alias_arn(name)} because no identity-based policy" in message


@pytest.mark.parametrize("service", ["s3", "sqs"])
def test_aliases_of_aws_managed_keys_cannot_be_updated_or_deleted(kms: Any, service: str) -> None:
    """"The alias/aws/ prefix is reserved for AWS managed keys": their aliases are AWS's to keep."""
    name = f"alias/aws/{service}"
    managed = kms.describe_key(KeyId=name)["KeyMetadata"]
    mine = kms.create_key()["KeyMetadata"]
    code, status, _ = error_of(kms.update_alias, AliasName=name, TargetKeyId=mine["KeyId"])
    assert (code, status) == ("NotAuthorizedException", 400)
    code, status, _ = error_of(kms.delete_alias, AliasName=name)
    assert (code, status) == ("NotAuthorizedException", 400)
    assert kms.describe_key(KeyId=name)["KeyMetadata"]["KeyId"] == managed["KeyId"]


def test_list_aliases_includes_the_predefined_aws_aliases_without_a_target_until_used(kms: Any) -> None:
    # ListAliases: "The response might include several aliases that do not have a TargetKeyId field. These
    # are predefined aliases that Amazon Web Services has created but has not yet associated with a KMS
    # key." The Terraform AWS provider's aws_kms_alias data source finds alias/aws/<service> this way.
    listed = aliases_of(kms)
    assert listed["alias/aws/lambda"]["AliasArn"] == alias_arn("alias/aws/lambda")
    key_id = kms.describe_key(KeyId="alias/aws/lambda")["KeyMetadata"]["KeyId"]  # makes the AWS managed key
    assert aliases_of(kms)["alias/aws/lambda"]["TargetKeyId"] == key_id
    assert "alias/aws/xray" not in aliases_of(kms, KeyId=key_id)


def test_list_aliases_answers_fifty_aliases_without_a_limit(kms: Any) -> None:
    # ListAliases' Limit: "If you do not include a value, it defaults to 50" (API reference).
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    for _ in range(51):
        kms.create_alias(AliasName=unique_alias(), TargetKeyId=key_id)
    page = kms.list_aliases()
    assert len(page["Aliases"]) == 50
    assert page["Truncated"] is True
    rest = kms.list_aliases(Marker=page["NextMarker"])
    assert len(rest["Aliases"]) >= 1
    assert not {a["AliasName"] for a in page["Aliases"]} & {a["AliasName"] for a in rest["Aliases"]}
