"""Custom key stores: an account here has none, so a call naming one is answered as AWS answers a
store that does not exist — CustomKeyStoreNotFoundException, 400, with no message (AWS's answer to
GenerateRandom naming one, recorded in smithy-rs's KMS integration test generate_random_modeled_error)
— and DescribeCustomKeyStores lists none."""

from __future__ import annotations

from typing import Any

import pytest

from tests.services.kms.support import error_of

STORE = "cks-1234567890abcdef0"
NOT_FOUND = ("CustomKeyStoreNotFoundException", 400)


def test_generate_random_naming_a_store_that_does_not_exist_is_refused(kms: Any) -> None:
    assert error_of(kms.generate_random, NumberOfBytes=64, CustomKeyStoreId="does not exist") == (
        *NOT_FOUND,
        "",
    )
    assert error_of(kms.generate_random, NumberOfBytes=64, CustomKeyStoreId=STORE)[:2] == NOT_FOUND
    assert len(kms.generate_random(NumberOfBytes=64)["Plaintext"]) == 64


def test_a_key_in_a_store_that_does_not_exist_is_not_made(kms: Any) -> None:
    before = kms.list_keys()["Keys"]
    assert error_of(kms.create_key, Origin="AWS_CLOUDHSM", CustomKeyStoreId=STORE)[:2] == NOT_FOUND
    assert (
        error_of(kms.create_key, Origin="EXTERNAL_KEY_STORE", CustomKeyStoreId=STORE, XksKeyId="k1")[:2]
        == NOT_FOUND
    )
    assert kms.list_keys()["Keys"] == before


def test_the_account_has_no_custom_key_stores(kms: Any) -> None:
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
    assert error_of(kms.describe_custom_key_stores, CustomKeyStoreId=STORE)[:2] == NOT_FOUND
    assert error_of(kms.describe_custom_key_stores, CustomKeyStoreName="ExampleKeyStore")[:2] == NOT_FOUND


@pytest.mark.parametrize(
    "call, params",
    [
        ("connect_custom_key_store", {}),
        ("disconnect_custom_key_store", {}),
        ("delete_custom_key_store", {}),
        ("update_custom_key_store", {"NewCustomKeyStoreName": "renamed"}),
    ],
)
def test_operations_on_a_store_find_none(kms: Any, call: str, params: dict[str, str]) -> None:
    assert error_of(getattr(kms, call), CustomKeyStoreId=STORE, **params)[:2] == NOT_FOUND


def test_no_custom_key_store_can_be_made_without_its_cluster_or_proxy(kms: Any) -> None:
    """CreateCustomKeyStore needs a CloudHSM cluster, a VPC endpoint service or a reachable external key
    store proxy, none of which exists for this endpoint: AWS's errors for each, and no store is made."""
    cloudhsm = {
        "CustomKeyStoreName": "ExampleCloudHSMKeyStore",
        "CloudHsmClusterId": "cluster-234abcdefABC",
        "TrustAnchorCertificate": "-----BEGIN CERTIFICATE-----\nMII...\n-----END CERTIFICATE-----",
        "KeyStorePassword": "kmsPswd",
    }
    assert error_of(kms.create_custom_key_store, **cloudhsm)[:2] == ("CloudHsmClusterNotFoundException", 400)
    external = {
        "CustomKeyStoreName": "ExampleExternalKeyStore",
        "CustomKeyStoreType": "EXTERNAL_KEY_STORE",
        "XksProxyConnectivity": "PUBLIC_ENDPOINT",
        "XksProxyUriEndpoint": "https://myproxy.xks.example.com",
        "XksProxyUriPath": "/kms/xks/v1",
        "XksProxyAuthenticationCredential": {
            "AccessKeyId": "ABCDE23456723EXAMPLE",
            "RawSecretAccessKey": "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=",
        },
    }
    assert error_of(kms.create_custom_key_store, **external)[:2] == ("XksProxyUriUnreachableException", 400)
    in_vpc = {
        **external,
        "XksProxyConnectivity": "VPC_ENDPOINT_SERVICE",
        "XksProxyVpcEndpointServiceName": "com.amazonaws.vpce.us-east-1.vpce-svc-example1",
    }
    assert error_of(kms.create_custom_key_store, **in_vpc)[:2] == (
        "XksProxyVpcEndpointServiceNotFoundException",
        400,
    )
    assert kms.describe_custom_key_stores()["CustomKeyStores"] == []
