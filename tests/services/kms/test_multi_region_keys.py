"""Multi-Region keys: CreateKey MultiRegion=true, ReplicateKey, UpdatePrimaryRegion, and what related
keys share ("Multi-Region keys in AWS KMS": one key id and key material, so that a ciphertext of one
opens with another in its own Region; the rotation set on the primary)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT_ACCOUNT, make_client
from tests.services.kms.support import error_of


def _clients(endpoint: str) -> tuple[Any, Any]:
    return make_client(endpoint, "kms", region="us-east-1"), make_client(endpoint, "kms", region="eu-west-1")


def test_a_multi_region_key_is_a_primary_with_an_mrk_id(kms: Any) -> None:
    key = kms.create_key(MultiRegion=True, Description="primary")["KeyMetadata"]
    assert re.fullmatch(r"mrk-[0-9a-f]{32}", key["KeyId"])
    assert key["MultiRegion"] is True
    assert key["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY",
        "PrimaryKey": {"Arn": key["Arn"], "Region": "us-east-1"},
        "ReplicaKeys": [],
    }
    assert "MultiRegionConfiguration" not in kms.create_key()["KeyMetadata"]


def test_a_replica_shares_the_key_id_and_material_and_opens_the_primarys_ciphertext(endpoint: str) -> None:
    east, west = _clients(endpoint)
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    answer = east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1", Description="west",
                                Tags=[{"TagKey": "side", "TagValue": "west"}])
    replica_arn = f"arn:aws:kms:eu-west-1:{ROOT_ACCOUNT}:key/{primary['KeyId']}"
    assert answer["ReplicaKeyMetadata"]["Arn"] == replica_arn
    assert answer["ReplicaKeyMetadata"]["KeyState"] == "Creating"  # as AWS answers while it copies the key
    assert answer["ReplicaTags"] == [{"TagKey": "side", "TagValue": "west"}]
    replica = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]
    assert (replica["KeyState"], replica["Description"]) == ("Enabled", "west")
    expected = {"PrimaryKey": {"Arn": primary["Arn"], "Region": "us-east-1"},
                "ReplicaKeys": [{"Arn": replica_arn, "Region": "eu-west-1"}]}
    assert replica["MultiRegionConfiguration"] == {"MultiRegionKeyType": "REPLICA", **expected}
    assert east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"] == {
        "MultiRegionKeyType": "PRIMARY", **expected}
    sealed = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"across Regions")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"across Regions"
    back = west.encrypt(KeyId=replica_arn, Plaintext=b"and back")["CiphertextBlob"]
    assert east.decrypt(CiphertextBlob=back, KeyId=primary["Arn"])["Plaintext"] == b"and back"
    assert error_of(east.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")[:2] == (
        "AlreadyExistsException", 400)


def test_only_a_multi_region_primary_replicates(endpoint: str) -> None:
    east, west = _clients(endpoint)
    single = east.create_key()["KeyMetadata"]
    assert error_of(east.replicate_key, KeyId=single["KeyId"], ReplicaRegion="eu-west-1")[:2] == (
        "UnsupportedOperationException", 400)
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert error_of(west.replicate_key, KeyId=primary["KeyId"], ReplicaRegion="ap-south-1")[:2] == (
        "UnsupportedOperationException", 400)


def test_rotation_is_set_on_the_primary_and_shared_by_its_replicas(endpoint: str) -> None:
    east, west = _clients(endpoint)
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    assert error_of(west.enable_key_rotation, KeyId=primary["KeyId"])[:2] == ("UnsupportedOperationException", 400)
    east.enable_key_rotation(KeyId=primary["KeyId"])
    assert west.get_key_rotation_status(KeyId=primary["KeyId"])["KeyRotationEnabled"] is True
    east.rotate_key_on_demand(KeyId=primary["KeyId"])
    sealed = east.encrypt(KeyId=primary["KeyId"], Plaintext=b"new material")["CiphertextBlob"]
    assert west.decrypt(CiphertextBlob=sealed)["Plaintext"] == b"new material"
    materials = [east.describe_key(KeyId=primary["KeyId"]), west.describe_key(KeyId=primary["KeyId"])]
    assert len({m["KeyMetadata"]["CurrentKeyMaterialId"] for m in materials}) == 1


def test_update_primary_region_swaps_the_roles(endpoint: str) -> None:
    east, west = _clients(endpoint)
    primary = east.create_key(MultiRegion=True)["KeyMetadata"]
    east.replicate_key(KeyId=primary["KeyId"], ReplicaRegion="eu-west-1")
    east.update_primary_region(KeyId=primary["KeyId"], PrimaryRegion="eu-west-1")
    config = west.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "PRIMARY" and config["PrimaryKey"]["Region"] == "eu-west-1"
    config = east.describe_key(KeyId=primary["KeyId"])["KeyMetadata"]["MultiRegionConfiguration"]
    assert config["MultiRegionKeyType"] == "REPLICA"
    assert config["ReplicaKeys"] == [{"Arn": primary["Arn"], "Region": "us-east-1"}]
    assert error_of(east.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="ap-south-1")[:2] == (
        "UnsupportedOperationException", 400)  # east's key is a replica now
    assert error_of(west.update_primary_region, KeyId=primary["KeyId"], PrimaryRegion="ap-south-1")[:2] == (
        "NotFoundException", 400)
