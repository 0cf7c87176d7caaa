"""KMS state survives a restart: keys (with their key material), aliases, tags, key state and
key policies are persisted in the data directory like every other service's state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pocketcloud.store import open_store
from tests.conftest import ServerProcess, make_client
from tests.services.kms.support import error_of


def test_keys_aliases_and_ciphertexts_survive_a_restart(tmp_path: Path) -> None:
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        kms: Any = make_client(first.endpoint, "kms")
        key = kms.create_key(Description="durable", Tags=[{"TagKey": "keep", "TagValue": "me"}])["KeyMetadata"]
        kms.create_alias(AliasName="alias/durable", TargetKeyId=key["KeyId"])
        blob = kms.encrypt(KeyId="alias/durable", Plaintext=b"across restarts", EncryptionContext={"a": "b"})["CiphertextBlob"]
        hmac_key = kms.create_key(KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]
        mac = kms.generate_mac(KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
        ecc_key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
        public_key = kms.get_public_key(KeyId=ecc_key["KeyId"])["PublicKey"]
        disabled = kms.create_key()["KeyMetadata"]
        kms.disable_key(KeyId=disabled["KeyId"])
        policy_before = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
    finally:
        first.stop()

    second = ServerProcess(data_dir=tmp_path).start()
    try:
        kms = make_client(second.endpoint, "kms")
        assert kms.decrypt(CiphertextBlob=blob, EncryptionContext={"a": "b"})["Plaintext"] == b"across restarts"
        metadata = kms.describe_key(KeyId="alias/durable")["KeyMetadata"]
        assert metadata["KeyId"] == key["KeyId"]
        assert metadata["Description"] == "durable"
        assert kms.list_resource_tags(KeyId=key["KeyId"])["Tags"] == [{"TagKey": "keep", "TagValue": "me"}]
        assert kms.verify_mac(KeyId=hmac_key["KeyId"], Message=b"m", MacAlgorithm="HMAC_SHA_256", Mac=mac)["MacValid"] is True
        assert kms.get_public_key(KeyId=ecc_key["KeyId"])["PublicKey"] == public_key
        assert kms.describe_key(KeyId=disabled["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
        policy_after = kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"]
        assert json.loads(policy_after) == json.loads(policy_before)
    finally:
        second.stop()


def test_a_grant_stored_by_an_older_version_never_unseats_the_key_policy(tmp_path: Path) -> None:
    """A grant naming a principal no key policy can name ("foo", which CreateGrant took before it
    checked principals) is left out of the key policy instead of making it unparseable, which left
    the caller's identity policies alone to decide: the key policy's Deny still applies, and the
    key's other grants still work."""
    first = ServerProcess(data_dir=tmp_path).start()
    try:
        kms: Any = make_client(first.endpoint, "kms")
        iam: Any = make_client(first.endpoint, "iam")
        for name in ("denied", "grantee"):
            iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName="denied",
            PolicyName="kms",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
            ),
        )
        keys = {name: iam.create_access_key(UserName=name)["AccessKey"] for name in ("denied", "grantee")}
        root = "arn:aws:iam::000000000000:root"
        key_policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "kms:*", "Resource": "*"},
                {
                    "Effect": "Deny",
                    "Principal": {"AWS": "arn:aws:iam::000000000000:user/denied"},
                    "Action": "kms:Encrypt",
                    "Resource": "*",
                },
            ],
        }
        key = kms.create_key(Policy=json.dumps(key_policy))["KeyMetadata"]
        made = kms.create_grant(
            KeyId=key["KeyId"], GranteePrincipal="arn:aws:iam::000000000000:user/grantee", Operations=["Encrypt"]
        )
    finally:
        first.stop()

    # As an older pocketcloud stored it: a second grant whose grantee is no principal at all.
    store = open_store(tmp_path)
    try:
        grants = store.collection("kms", "grants")
        scope = ("000000000000", "us-east-1")
        stored = grants.get(scope, f"{key['KeyId']}/{made['GrantId']}")
        assert stored is not None
        broken = {**stored, "GranteePrincipal": "foo", "GrantId": "0" * 64, "Token": "old-token"}
        grants.put(scope, f"{key['KeyId']}/{'0' * 64}", broken)
    finally:
        store.close()

    second = ServerProcess(data_dir=tmp_path).start()
    try:
        def client(name: str) -> Any:
            access = keys[name]
            return make_client(second.endpoint, "kms", key=access["AccessKeyId"], secret=access["SecretAccessKey"])

        code, _, message = error_of(client("denied").encrypt, KeyId=key["KeyId"], Plaintext=b"x")
        assert code == "AccessDeniedException"
        assert message.endswith("with an explicit deny in a resource-based policy")
        client("grantee").encrypt(KeyId=key["KeyId"], Plaintext=b"granted")
    finally:
        second.stop()
