"""KMS's own condition keys in key policies and IAM policies, as the KMS Developer Guide's "AWS KMS
condition keys" describes each (and the Service Authorization Reference lists per action): request
keys from the call's parameters, with the parameter's default when the call leaves it out, and
resource keys from the key the call uses."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import make_client
from tests.services.kms.support import ROOT_ARN, allow, error_of, iam_user, policy, unique_alias


def _key_for(kms: Any, user_arn: str, actions: str | list[str], condition: dict[str, Any], **create: Any) -> str:
    """A key whose policy lets `user_arn` do `actions` under `condition` only (and its account all)."""
    statement = allow({"AWS": user_arn}, actions)
    statement["Condition"] = condition
    key_id: str = kms.create_key(Policy=policy(allow({"AWS": ROOT_ARN}), statement), **create)["KeyMetadata"]["KeyId"]
    return key_id


def _denied(call: Any, **kwargs: Any) -> bool:
    return error_of(call, **kwargs)[0] == "AccessDeniedException"


def test_encryption_algorithm_is_symmetric_default_when_the_call_names_none(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    key_id = _key_for(kms, arn, "kms:Encrypt", {"StringEquals": {"kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}})
    assert user.encrypt(KeyId=key_id, Plaintext=b"x")["KeyId"].endswith(key_id)


def test_key_spec_and_key_usage_are_the_keys_own(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    symmetric = {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:KeyUsage": "ENCRYPT_DECRYPT"}}
    key_id = _key_for(kms, arn, "kms:Encrypt", symmetric)
    user.encrypt(KeyId=key_id, Plaintext=b"x")
    rsa_only = _key_for(kms, arn, "kms:Encrypt", {"StringLike": {"kms:KeySpec": "RSA_*"}})
    assert _denied(user.encrypt, KeyId=rsa_only, Plaintext=b"x")


def test_request_alias_is_the_alias_the_call_names_the_key_by(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    alias = unique_alias()
    key_id = _key_for(kms, arn, "kms:Encrypt", {"StringEquals": {"kms:RequestAlias": alias}})
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    user.encrypt(KeyId=alias, Plaintext=b"x")
    user.encrypt(KeyId=f"arn:aws:kms:us-east-1:000000000000:{alias}", Plaintext=b"x")
    assert _denied(user.encrypt, KeyId=key_id, Plaintext=b"x")  # "even if it identifies the same KMS key"


def test_resource_aliases_are_the_aliases_of_the_key_however_the_call_names_it(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    alias = unique_alias()
    key_id = _key_for(kms, arn, "kms:Encrypt", {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}})
    assert _denied(user.encrypt, KeyId=key_id, Plaintext=b"x")
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    user.encrypt(KeyId=key_id, Plaintext=b"x")


def test_caller_account_is_the_callers(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    key_id = _key_for(kms, arn, "kms:Encrypt", {"StringEquals": {"kms:CallerAccount": "000000000000"}})
    user.encrypt(KeyId=key_id, Plaintext=b"x")


def test_grant_operations_limit_the_grants_a_user_may_create(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    only = {"ForAllValues:StringEquals": {"kms:GrantOperations": ["Encrypt", "ReEncryptTo"]}}
    key_id = _key_for(kms, arn, "kms:CreateGrant", only)
    user.create_grant(KeyId=key_id, GranteePrincipal=arn, Operations=["Encrypt"])
    assert _denied(user.create_grant, KeyId=key_id, GranteePrincipal=arn, Operations=["Encrypt", "Decrypt"])
    assert len(kms.list_grants(KeyId=key_id)["Grants"]) == 1


def test_grantee_principal_and_constraint_type_are_the_grants(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    condition = {"StringEquals": {"kms:GranteePrincipal": arn, "kms:GrantConstraintType": "EncryptionContextEquals"}}
    key_id = _key_for(kms, arn, "kms:CreateGrant", condition)
    constraints = {"EncryptionContextEquals": {"app": "x"}}
    user.create_grant(KeyId=key_id, GranteePrincipal=arn, Operations=["Decrypt"], Constraints=constraints)
    assert _denied(user.create_grant, KeyId=key_id, GranteePrincipal=arn, Operations=["Decrypt"])
    assert _denied(
        user.create_grant, KeyId=key_id, GranteePrincipal=ROOT_ARN, Operations=["Decrypt"], Constraints=constraints
    )


def test_a_grants_encryption_context_is_its_constraints(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    key_id = _key_for(kms, arn, "kms:CreateGrant", {"StringEquals": {"kms:EncryptionContext:dept": "eng"}})
    constraints = {"EncryptionContextSubset": {"dept": "eng"}}
    user.create_grant(KeyId=key_id, GranteePrincipal=arn, Operations=["Decrypt"], Constraints=constraints)
    assert _denied(user.create_grant, KeyId=key_id, GranteePrincipal=arn, Operations=["Decrypt"])


def test_schedule_key_deletion_pending_window_defaults_to_thirty_days(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    window = {"NumericGreaterThanEquals": {"kms:ScheduleKeyDeletionPendingWindowInDays": "20"}}
    key_id = _key_for(kms, arn, "kms:ScheduleKeyDeletion", window)
    assert _denied(user.schedule_key_deletion, KeyId=key_id, PendingWindowInDays=7)
    assert user.schedule_key_deletion(KeyId=key_id)["PendingWindowInDays"] == 30


def test_signing_algorithm_and_message_type_raw_by_default(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    condition = {"StringEquals": {"kms:SigningAlgorithm": "ECDSA_SHA_256", "kms:MessageType": "RAW"}}
    key_id = _key_for(kms, arn, "kms:Sign", condition, KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")
    user.sign(KeyId=key_id, Message=b"x", SigningAlgorithm="ECDSA_SHA_256")
    assert _denied(user.sign, KeyId=key_id, Message=bytes(32), MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")


def test_data_key_pair_spec_is_the_pairs(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    key_id = _key_for(kms, arn, "kms:GenerateDataKeyPair", {"StringLike": {"kms:DataKeyPairSpec": "RSA*"}})
    user.generate_data_key_pair(KeyId=key_id, KeyPairSpec="RSA_2048")
    assert _denied(user.generate_data_key_pair, KeyId=key_id, KeyPairSpec="ECC_NIST_P256")


def test_re_encrypt_on_same_key(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    condition = {"Bool": {"kms:ReEncryptOnSameKey": "true"}}
    key_id = _key_for(kms, arn, ["kms:ReEncryptFrom", "kms:ReEncryptTo"], condition)
    blob = kms.encrypt(KeyId=key_id, Plaintext=b"x")["CiphertextBlob"]
    assert user.re_encrypt(CiphertextBlob=blob, DestinationKeyId=key_id)["SourceKeyId"].endswith(key_id)
    other = kms.create_key()["KeyMetadata"]["KeyId"]
    assert _denied(user.re_encrypt, CiphertextBlob=blob, DestinationKeyId=other)


def test_create_key_request_keys_default_to_a_symmetric_key(kms: Any, endpoint: str) -> None:
    only_symmetric = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "kms:CreateKey",
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:KeySpec": "SYMMETRIC_DEFAULT", "kms:KeyOrigin": "AWS_KMS"}},
            }
        ],
    }
    _, user = iam_user(endpoint, json.dumps(only_symmetric))
    assert user.create_key()["KeyMetadata"]["KeySpec"] == "SYMMETRIC_DEFAULT"
    assert _denied(user.create_key, KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")


def test_s3_use_of_a_key_offers_its_resource_aliases(kms: Any, endpoint: str) -> None:
    # kms:ResourceAliases is a property of the key, whoever uses it: S3 for its caller too.
    s3_arn, _ = iam_user(endpoint)
    alias = unique_alias()
    key_id = _key_for(
        kms, s3_arn, ["kms:GenerateDataKey", "kms:Decrypt"], {"ForAnyValue:StringEquals": {"kms:ResourceAliases": alias}}
    )
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    iam = make_client(endpoint, "iam")
    name = s3_arn.rsplit("/", 1)[1]
    s3_all = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=json.dumps(s3_all))
    access = iam.create_access_key(UserName=name)["AccessKey"]
    s3 = make_client(endpoint, "s3", key=access["AccessKeyId"], secret=access["SecretAccessKey"])
    bucket = unique_alias("bucket").removeprefix("alias/").lower()
    make_client(endpoint, "s3").create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id)
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_request_tags_of_create_key_and_tag_resource_are_its_tag_keys_and_values(endpoint: str) -> None:
    """KMS's tags are TagKey/TagValue pairs; they are the request's aws:RequestTag/<key> and aws:TagKeys."""
    only_team_blue = {"StringEquals": {"aws:RequestTag/team": "blue"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}
    identity = policy({"Effect": "Allow", "Action": ["kms:CreateKey", "kms:TagResource"], "Resource": "*",
                       "Condition": only_team_blue})
    _, user = iam_user(endpoint, identity)
    key_id = user.create_key(Tags=[{"TagKey": "team", "TagValue": "blue"}])["KeyMetadata"]["KeyId"]
    assert _denied(user.create_key, Tags=[{"TagKey": "team", "TagValue": "red"}])
    assert _denied(user.tag_resource, KeyId=key_id, Tags=[{"TagKey": "other", "TagValue": "blue"}])
