"""Keys used from another account, as the key policy allows ("Allowing users in other accounts to use
a KMS key"): a symmetric ciphertext names its key, account and Region included, so another account's
Decrypt (and ReEncrypt) finds it without a KeyId ("Cross-account use: Yes"), and a grant's retiring
principal in another account finds and retires it ("You can retire a grant on a KMS key in a
different Amazon Web Services account"; ListRetirableGrants: "The grants that are returned include
grants for KMS keys in your Amazon Web Services account and other Amazon Web Services accounts").

The owner is the server's root account; the other account is the second of `two_accounts`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.kms.support import ROOT_ARN, allow, error_of, policy

OTHER_ACCOUNT = "111111111111"
OTHER_KEY, OTHER_SECRET = "AKIAKMSOTHER00000001", "kms-other-secret"
OTHER_ROOT = f"arn:aws:iam::{OTHER_ACCOUNT}:root"


@pytest.fixture(scope="module")
def two_accounts() -> Iterator[ServerProcess]:
    """A server of its own that knows a second account, with a root key of its own."""
    server = ServerProcess(env={"POCKETCLOUD_ACCOUNTS": f"{OTHER_ACCOUNT}:{OTHER_KEY}:{OTHER_SECRET}"}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def owner(two_accounts: ServerProcess) -> Any:
    return make_client(two_accounts.endpoint, "kms")


@pytest.fixture(scope="module")
def theirs(two_accounts: ServerProcess) -> Any:
    return make_client(two_accounts.endpoint, "kms", key=OTHER_KEY, secret=OTHER_SECRET)


def _shared_key(owner: Any, actions: list[str]) -> dict[str, Any]:
    """A key of the owner whose policy lets the other account these actions."""
    key_policy = policy(allow({"AWS": ROOT_ARN}), allow({"AWS": OTHER_ROOT}, actions))
    created: dict[str, Any] = owner.create_key(Policy=key_policy)["KeyMetadata"]
    return created


def test_another_account_decrypts_ciphertext_under_a_key_shared_with_it(owner: Any, theirs: Any) -> None:
    key = _shared_key(owner, ["kms:Encrypt", "kms:Decrypt"])
    blob = owner.encrypt(KeyId=key["KeyId"], Plaintext=b"for both", EncryptionContext={"a": "b"})["CiphertextBlob"]
    answer = theirs.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})
    assert (answer["Plaintext"], answer["KeyId"]) == (b"for both", key["Arn"])
    # and the other way: what the other account sealed under the key, the owner opens
    sealed = theirs.encrypt(KeyId=key["Arn"], Plaintext=b"back")["CiphertextBlob"]
    assert owner.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"back"


def test_another_account_is_refused_a_key_not_shared_with_it(owner: Any, theirs: Any) -> None:
    key = owner.create_key()["KeyMetadata"]  # the default policy names only the owner
    blob = owner.encrypt(KeyId=key["KeyId"], Plaintext=b"mine")["CiphertextBlob"]
    code, status, message = error_of(theirs.decrypt, CiphertextBlob=blob)
    assert (code, status) == ("AccessDeniedException", 400)
    assert message == (
        f"User: {OTHER_ROOT} is not authorized to perform: kms:Decrypt on resource: {key['Arn']} "
        "because no resource-based policy allows the kms:Decrypt action"
    )


def test_another_account_re_encrypts_from_a_shared_key_to_its_own(owner: Any, theirs: Any) -> None:
    source = _shared_key(owner, ["kms:ReEncryptFrom"])
    destination = theirs.create_key()["KeyMetadata"]
    blob = owner.encrypt(KeyId=source["KeyId"], Plaintext=b"moving out")["CiphertextBlob"]
    moved = theirs.re_encrypt(CiphertextBlob=blob, DestinationKeyId=destination["KeyId"])
    assert (moved["SourceKeyId"], moved["KeyId"]) == (source["Arn"], destination["Arn"])
    assert theirs.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"moving out"
    # ... and to a key of the owner's that lets it ReEncryptTo
    back = _shared_key(owner, ["kms:ReEncryptTo"])
    returned = theirs.re_encrypt(CiphertextBlob=moved["CiphertextBlob"], DestinationKeyId=back["Arn"])
    assert owner.decrypt(CiphertextBlob=returned["CiphertextBlob"])["Plaintext"] == b"moving out"
    closed = owner.create_key()["KeyMetadata"]
    code, _, message = error_of(theirs.re_encrypt, CiphertextBlob=moved["CiphertextBlob"], DestinationKeyId=closed["Arn"])
    assert code == "AccessDeniedException"
    assert f"kms:ReEncryptTo on resource: {closed['Arn']}" in message


def _legacy(blob: bytes) -> bytes:
    """The blob as pocketcloud wrote it before blobs named their key's account and Region: b"PCK1",
    the key id, the material version, the nonce and the sealed data (the same key material seals
    both, and the additional data is the encryption context alone)."""
    assert blob[:4] == b"PCK2"
    length = blob[16]
    tail = blob[17 + length :]
    key_id, version, nonce = struct.unpack_from(">36sH12s", tail)
    return struct.pack(">4s36sH12s", b"PCK1", key_id, version, nonce) + tail[50:]


def test_a_blob_written_before_blobs_named_their_account_still_decrypts_for_its_owner(
    owner: Any, theirs: Any
) -> None:
    key = _shared_key(owner, ["kms:Decrypt"])
    blob = owner.encrypt(KeyId=key["KeyId"], Plaintext=b"from an older data directory", EncryptionContext={"v": "1"})
    old = _legacy(blob["CiphertextBlob"])
    answer = owner.decrypt(CiphertextBlob=old, EncryptionContext={"v": "1"})
    assert (answer["Plaintext"], answer["KeyId"]) == (b"from an older data directory", key["Arn"])
    assert owner.decrypt(CiphertextBlob=old, EncryptionContext={"v": "1"}, KeyId=key["Arn"])["Plaintext"]
    moved = owner.re_encrypt(CiphertextBlob=old, SourceEncryptionContext={"v": "1"}, DestinationKeyId=key["KeyId"])
    assert owner.decrypt(CiphertextBlob=moved["CiphertextBlob"])["Plaintext"] == b"from an older data directory"
    # It names no account: in another account it names that account's key of the id, which is none.
    assert error_of(theirs.decrypt, CiphertextBlob=old, EncryptionContext={"v": "1"})[:2] == (
        "InvalidCiphertextException",
        400,
    )


def test_a_retiring_principal_of_another_account_lists_and_retires_the_grant(owner: Any, theirs: Any) -> None:
    key = owner.create_key()["KeyMetadata"]
    made = owner.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=OTHER_ROOT, RetiringPrincipal=OTHER_ROOT, Operations=["Decrypt"]
    )
    listed = theirs.list_retirable_grants(RetiringPrincipal=OTHER_ROOT)["Grants"]
    assert made["GrantId"] in [grant["GrantId"] for grant in listed]
    (grant,) = [grant for grant in listed if grant["GrantId"] == made["GrantId"]]
    assert (grant["KeyId"], grant["IssuingAccount"]) == (key["Arn"], f"arn:aws:iam::{ROOT_ACCOUNT}:root")
    theirs.retire_grant(GrantToken=made["GrantToken"])
    assert owner.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_a_retiring_principal_of_another_account_retires_by_key_and_grant_id(owner: Any, theirs: Any) -> None:
    key = owner.create_key()["KeyMetadata"]
    made = owner.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=OTHER_ROOT, RetiringPrincipal=OTHER_ROOT, Operations=["Decrypt"]
    )
    theirs.retire_grant(KeyId=key["Arn"], GrantId=made["GrantId"])
    assert owner.list_grants(KeyId=key["KeyId"])["Grants"] == []


def test_another_account_the_grant_does_not_name_cannot_retire_it(owner: Any, theirs: Any) -> None:
    key = owner.create_key()["KeyMetadata"]
    made = owner.create_grant(
        KeyId=key["KeyId"], GranteePrincipal=ROOT_ARN, RetiringPrincipal=ROOT_ARN, Operations=["Decrypt"]
    )
    code, status, _ = error_of(theirs.retire_grant, GrantToken=made["GrantToken"])
    assert (code, status) == ("AccessDeniedException", 400)
    assert made["GrantId"] not in [g["GrantId"] for g in theirs.list_retirable_grants(RetiringPrincipal=OTHER_ROOT)["Grants"]]
    assert len(owner.list_grants(KeyId=key["KeyId"])["Grants"]) == 1
