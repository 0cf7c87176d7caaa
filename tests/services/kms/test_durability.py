"""KMS state survives a restart: keys (with their key material), aliases, tags, key state and
key policies are persisted in the data directory like every other service's state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess, make_client


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
