"""Who may use a key: IAM's default deny, identity policies, and the key policy, which KMS
always consults (https://docs.aws.amazon.com/kms/latest/developerguide/control-access.html:
"no AWS principal has any permissions to a KMS key unless that permission is explicitly allowed
in a key policy"; the default key policy's root statement lets IAM policies grant access).

The denial wording and HTTP status are AWS's, as recorded in real responses, e.g.
https://github.com/trussworks/terraform-aws-s3-anti-virus/pull/48 ("User: ... is not authorized to
perform: kms:Decrypt on resource: arn:aws:kms:...:key/... because no identity-based policy allows
the kms:Decrypt action (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException"),
https://github.com/aws-samples/baseline-environment-on-aws/pull/51 ("... because no
resource-based policy allows the kms:Decrypt action") and
https://github.com/aws/aws-nitro-enclaves-sdk-c/issues/157 ("... with an explicit deny in a
resource-based policy")."""

from __future__ import annotations

from typing import Any

from tests.services.kms.support import ROOT_ARN, allow, error_of, iam_user, policy

KMS_ALL = policy(allow(None, "kms:*"))


def test_user_without_any_policy_is_denied_encrypt(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    arn, user = iam_user(endpoint)
    code, status, message = error_of(user.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {arn} is not authorized to perform: kms:Encrypt on resource: {key['Arn']} "
        "because no identity-based policy allows the kms:Encrypt action"
    )


def test_user_without_any_policy_is_denied_describe_key(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    _, user = iam_user(endpoint)
    code, status, _ = error_of(user.describe_key, KeyId=key["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)


def test_user_allowed_kms_by_identity_policy_uses_a_key_with_the_default_key_policy(
    kms: Any, endpoint: str
) -> None:
    key = kms.create_key()["KeyMetadata"]
    _, user = iam_user(endpoint, KMS_ALL)
    blob = user.encrypt(KeyId=key["KeyId"], Plaintext=b"allowed")["CiphertextBlob"]
    assert user.decrypt(CiphertextBlob=blob)["Plaintext"] == b"allowed"
    assert user.describe_key(KeyId=key["Arn"])["KeyMetadata"]["KeyId"] == key["KeyId"]


def test_identity_policy_scoped_to_encrypt_does_not_allow_decrypt(kms: Any, endpoint: str) -> None:
    key = kms.create_key()["KeyMetadata"]
    _, user = iam_user(endpoint, policy(allow(None, "kms:Encrypt", key["Arn"])))
    blob = user.encrypt(KeyId=key["KeyId"], Plaintext=b"one way")["CiphertextBlob"]
    code, status, _ = error_of(user.decrypt, CiphertextBlob=blob, KeyId=key["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)


def test_identity_policy_for_another_key_does_not_allow_this_key(kms: Any, endpoint: str) -> None:
    allowed = kms.create_key()["KeyMetadata"]
    other = kms.create_key()["KeyMetadata"]
    _, user = iam_user(endpoint, policy(allow(None, "kms:*", allowed["Arn"])))
    user.encrypt(KeyId=allowed["KeyId"], Plaintext=b"fine")
    code, _, _ = error_of(user.encrypt, KeyId=other["KeyId"], Plaintext=b"not this one")
    assert code == "AccessDeniedException"


def test_key_policy_not_naming_the_account_or_user_denies_a_user_allowed_by_iam(
    kms: Any, endpoint: str
) -> None:
    admin_arn, admin = iam_user(endpoint)
    key_policy = policy(allow({"AWS": admin_arn}, "kms:*"))
    key = kms.create_key(Policy=key_policy, BypassPolicyLockoutSafetyCheck=True)["KeyMetadata"]
    user_arn, user = iam_user(endpoint, KMS_ALL)
    code, status, message = error_of(user.encrypt, KeyId=key["KeyId"], Plaintext=b"x")
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {user_arn} is not authorized to perform: kms:Encrypt on resource: {key['Arn']} "
        "because no resource-based policy allows the kms:Encrypt action"
    )
    # The principal the key policy names may use the key with no identity policy at all.
    blob = admin.encrypt(KeyId=key["KeyId"], Plaintext=b"admin only")["CiphertextBlob"]
    assert admin.decrypt(CiphertextBlob=blob)["Plaintext"] == b"admin only"


def test_key_policy_naming_the_user_allows_it_without_an_identity_policy(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint)
    key_policy = policy(
        allow({"AWS": ROOT_ARN}, "kms:*"), allow({"AWS": arn}, ["kms:Encrypt", "kms:Decrypt"])
    )
    key = kms.create_key(Policy=key_policy)["KeyMetadata"]
    blob = user.encrypt(KeyId=key["KeyId"], Plaintext=b"granted by the key")["CiphertextBlob"]
    assert user.decrypt(CiphertextBlob=blob)["Plaintext"] == b"granted by the key"
    code, _, _ = error_of(user.schedule_key_deletion, KeyId=key["KeyId"], PendingWindowInDays=7)
    assert code == "AccessDeniedException"


def test_explicit_deny_in_the_key_policy_overrides_an_identity_allow(kms: Any, endpoint: str) -> None:
    arn, user = iam_user(endpoint, KMS_ALL)
    key_policy = policy(
        allow({"AWS": ROOT_ARN}, "kms:*"),
        {"Effect": "Deny", "Principal": {"AWS": arn}, "Action": "kms:Decrypt", "Resource": "*"},
    )
    key = kms.create_key(Policy=key_policy)["KeyMetadata"]
    blob = user.encrypt(KeyId=key["KeyId"], Plaintext=b"write only")["CiphertextBlob"]
    code, status, message = error_of(user.decrypt, CiphertextBlob=blob, KeyId=key["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {arn} is not authorized to perform: kms:Decrypt on resource: {key['Arn']} "
        "with an explicit deny in a resource-based policy"
    )


def test_put_key_policy_removing_the_root_statement_revokes_iam_granted_access(
    kms: Any, endpoint: str
) -> None:
    admin_arn, _ = iam_user(endpoint)
    key = kms.create_key()["KeyMetadata"]
    _, user = iam_user(endpoint, KMS_ALL)
    user.encrypt(KeyId=key["KeyId"], Plaintext=b"before")
    kms.put_key_policy(
        KeyId=key["KeyId"],
        PolicyName="default",
        Policy=policy(allow({"AWS": admin_arn}, "kms:*")),
        BypassPolicyLockoutSafetyCheck=True,
    )
    code, _, _ = error_of(user.encrypt, KeyId=key["KeyId"], Plaintext=b"after")
    assert code == "AccessDeniedException"


def test_encryption_context_keys_condition_limits_the_context_a_caller_may_use(
    kms: Any, endpoint: str
) -> None:
    key = kms.create_key()["KeyMetadata"]
    statement = allow(None, "kms:Encrypt", key["Arn"])
    statement["Condition"] = {"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["project"]}}
    _, user = iam_user(endpoint, policy(statement))
    user.encrypt(KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"project": "blue"})
    code, status, _ = error_of(
        user.encrypt, KeyId=key["KeyId"], Plaintext=b"x", EncryptionContext={"project": "blue", "team": "red"}
    )
    assert (code, status) == ("AccessDeniedException", 400)


# -- ReEncrypt: kms:ReEncryptFrom on the source key, kms:ReEncryptTo on the destination -----------
# "Required permissions: kms:ReEncryptFrom permission on the source KMS key (key policy),
# kms:ReEncryptTo permission on the destination KMS key (key policy)" (ReEncrypt reference).


def _two_keys_for(kms: Any, user_arn: str, source_actions: list[str], destination_actions: list[str]) -> tuple[Any, Any]:
    """Two keys whose policies let the user (who has no IAM policy) only these actions."""
    keys = []
    for actions in (source_actions, destination_actions):
        statements = [allow({"AWS": ROOT_ARN})] + ([allow({"AWS": user_arn}, actions)] if actions else [])
        keys.append(kms.create_key(Policy=policy(*statements))["KeyMetadata"])
    return keys[0], keys[1]


def test_re_encrypt_needs_re_encrypt_from_on_the_source_and_to_on_the_destination(
    kms: Any, endpoint: str
) -> None:
    user_arn, user = iam_user(endpoint)
    source, destination = _two_keys_for(kms, user_arn, ["kms:ReEncryptFrom"], ["kms:ReEncryptTo"])
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"moving")["CiphertextBlob"]
    moved = user.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert (moved["SourceKeyId"], moved["KeyId"]) == (source["Arn"], destination["Arn"])
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"moving"


def test_re_encrypt_from_on_the_destination_alone_is_not_enough(kms: Any, endpoint: str) -> None:
    """kms:ReEncryptFrom is decided on the source key (the one the ciphertext names): a caller allowed
    it on the destination key only is refused."""
    user_arn, user = iam_user(endpoint)
    source, destination = _two_keys_for(kms, user_arn, [], ["kms:ReEncryptFrom"])
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"not mine")["CiphertextBlob"]
    code, status, message = error_of(user.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {user_arn} is not authorized to perform: kms:ReEncryptFrom on resource: {source['Arn']} "
        "because no identity-based policy allows the kms:ReEncryptFrom action"
    )


def test_re_encrypt_to_is_checked_on_the_destination_key(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint)
    source, destination = _two_keys_for(kms, user_arn, ["kms:ReEncryptFrom"], ["kms:ReEncryptFrom"])
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    code, status, message = error_of(user.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {user_arn} is not authorized to perform: kms:ReEncryptTo on resource: {destination['Arn']} "
        "because no identity-based policy allows the kms:ReEncryptTo action"
    )


def test_a_deny_of_re_encrypt_to_in_the_destination_policy_applies(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint, KMS_ALL)
    source = kms.create_key()["KeyMetadata"]
    destination = kms.create_key(
        Policy=policy(
            allow({"AWS": ROOT_ARN}),
            {"Effect": "Deny", "Principal": {"AWS": user_arn}, "Action": "kms:ReEncryptTo", "Resource": "*"},
        )
    )["KeyMetadata"]
    blob = user.encrypt(KeyId=source["KeyId"], Plaintext=b"x")["CiphertextBlob"]
    code, _, message = error_of(user.re_encrypt, CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert code == "AccessDeniedException"
    assert message.endswith("with an explicit deny in a resource-based policy")
    user.re_encrypt(CiphertextBlob=blob, DestinationKeyId=source["KeyId"])  # its own key is fine


def test_grants_allow_re_encrypt_from_and_to_on_their_own_keys(kms: Any, endpoint: str) -> None:
    user_arn, user = iam_user(endpoint)
    source, destination = kms.create_key()["KeyMetadata"], kms.create_key()["KeyMetadata"]
    blob = kms.encrypt(KeyId=source["KeyId"], Plaintext=b"granted", EncryptionContext={"from": "a"})["CiphertextBlob"]
    kms.create_grant(KeyId=source["KeyId"], GranteePrincipal=user_arn, Operations=["ReEncryptTo"])
    kms.create_grant(KeyId=destination["KeyId"], GranteePrincipal=user_arn, Operations=["ReEncryptFrom"])
    arguments = {
        "CiphertextBlob": blob,
        "SourceEncryptionContext": {"from": "a"},
        "DestinationKeyId": destination["KeyId"],
        "DestinationEncryptionContext": {"to": "b"},
    }
    assert error_of(user.re_encrypt, **arguments)[0] == "AccessDeniedException"  # each on the wrong key
    kms.create_grant(
        KeyId=source["KeyId"],
        GranteePrincipal=user_arn,
        Operations=["ReEncryptFrom"],
        Constraints={"EncryptionContextEquals": {"from": "a"}},
    )
    assert error_of(user.re_encrypt, **arguments)[0] == "AccessDeniedException"  # still no ReEncryptTo
    kms.create_grant(
        KeyId=destination["KeyId"],
        GranteePrincipal=user_arn,
        Operations=["ReEncryptTo"],
        Constraints={"EncryptionContextEquals": {"to": "b"}},
    )
    moved = user.re_encrypt(**arguments)
    assert kms.decrypt(CiphertextBlob=moved["CiphertextBlob"], EncryptionContext={"to": "b"})["Plaintext"] == b"granted"
    # The destination grant's constraint is on the destination context.
    wrong = {**arguments, "DestinationEncryptionContext": {"to": "c"}}
    assert error_of(user.re_encrypt, **wrong)[0] == "AccessDeniedException"
