"""Custom key stores (CloudHSM and external key stores): an account here has none, and cannot make
one (it would need a CloudHSM cluster or an external key store proxy). So the calls that name a
store answer as AWS does for a store that does not exist, CustomKeyStoreNotFoundException with no
message (AWS's answer to GenerateRandom naming one, recorded in smithy-rs's KMS integration test
generate_random_modeled_error), and DescribeCustomKeyStores lists none. CreateCustomKeyStore fails
as it does on AWS without what it needs: no CloudHSM cluster is found, no VPC endpoint service, and
the external key store proxy, which KMS asks for its health before it creates the store, is not
reached (no request leaves this machine)."""

from __future__ import annotations

from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError

Params = dict[str, Any]

# Operations of a store, decided on "*" as the other calls that name no key.
OPERATIONS = frozenset(
    {
        "ConnectCustomKeyStore",
        "DeleteCustomKeyStore",
        "DescribeCustomKeyStores",
        "DisconnectCustomKeyStore",
        "UpdateCustomKeyStore",
        "CreateCustomKeyStore",
    }
)


def store_not_found() -> ServiceError:
    return ServiceError("CustomKeyStoreNotFoundException", "", status=400)


def refuse_named_store(p: Params) -> None:
    """A call that may name a store (CreateKey, GenerateRandom) and names one names none that exists."""
    if p.get("CustomKeyStoreId") is not None:
        raise store_not_found()


class CustomKeyStoreOperations:
    def CreateCustomKeyStore(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("CustomKeyStoreType", "AWS_CLOUDHSM") == "AWS_CLOUDHSM":
            raise ServiceError(
                "CloudHsmClusterNotFoundException",
                "The request was rejected because KMS cannot find the CloudHSM cluster with the specified "
                "cluster ID. Retry the request with a different cluster ID.",
                status=400,
            )
        if p.get("XksProxyConnectivity") == "VPC_ENDPOINT_SERVICE":
            raise ServiceError(
                "XksProxyVpcEndpointServiceNotFoundException",
                "The request was rejected because KMS could not find the specified VPC endpoint service.",
                status=400,
            )
        raise ServiceError(
            "XksProxyUriUnreachableException",
            "KMS was unable to reach the specified XksProxyUriPath. The path must be reachable before you "
            "create the external key store or update its settings.",
            status=400,
        )

    def DescribeCustomKeyStores(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("CustomKeyStoreId") is not None or p.get("CustomKeyStoreName") is not None:
            raise store_not_found()
        return {"CustomKeyStores": [], "Truncated": False}

    def ConnectCustomKeyStore(self, ctx: RequestContext, p: Params) -> Params:
        raise store_not_found()

    def DisconnectCustomKeyStore(self, ctx: RequestContext, p: Params) -> Params:
        raise store_not_found()

    def DeleteCustomKeyStore(self, ctx: RequestContext, p: Params) -> Params:
        raise store_not_found()

    def UpdateCustomKeyStore(self, ctx: RequestContext, p: Params) -> Params:
        raise store_not_found()
