"""What happens around a KMS operation a client calls, the same for every operation: DryRun, and
noting the key a cryptographic operation used (`usage.py`).

`around_calls` wraps, on the provider class, each operation whose input has a DryRun member in
botocore's model (CreateGrant, Decrypt, Encrypt, GenerateDataKey*, GenerateMac, ReEncrypt,
RetireGrant, RevokeGrant, Sign, Verify, VerifyMac, ...) and each operation GetKeyLastUsage reports.

DryRun ("Testing your permissions"): authorization is the request chain's, before the provider is
called; the operation then runs as it would, with every check of its own (the key and its state,
its usage, algorithms, grant operations, ...), inside a store transaction that is rolled back, and
answers DryRunOperationException (412) instead of its result. So a dry run that would succeed
changes nothing (no grant made, retired or revoked, no key use noted), and one that would fail
answers the very error the real call would.

A wrapped operation is one the gateway called: when another operation calls it (ReEncrypt's
Encrypt, VerifyMac's GenerateMac), it is the plain method, and only the outer call is noted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.protocol.models import service_model
from pocketcloud.services.kms.usage import tracked_operations

Params = dict[str, Any]
Operation = Callable[[Any, RequestContext, Params], Params]
C = TypeVar("C", bound=type)


def dry_run_succeeded() -> ServiceError:
    return ServiceError(
        "DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.",
        status=412,
    )


@cache
def dry_runnable_operations() -> frozenset[str]:
    """The operations whose input has a DryRun member, from botocore's model."""
    model = service_model("kms")
    return frozenset(
        name
        for name in model.operation_names
        if (shape := model.operation_model(name).input_shape) is not None and "DryRun" in shape.members
    )


def _around(name: str, method: Operation) -> Operation:
    dry_runnable = name in dry_runnable_operations()
    tracked = name in tracked_operations()

    @functools.wraps(method)
    def call(self: Any, ctx: RequestContext, p: Params) -> Params:
        if ctx.operation != name:  # called by another operation, which is the call
            return method(self, ctx, p)
        if dry_runnable and p.get("DryRun"):
            with self.store.transaction():  # undone by the exception that leaves it
                method(self, ctx, p)
                raise dry_run_succeeded()
        out = method(self, ctx, p)
        if tracked:
            for member in ("KeyId", "SourceKeyId"):  # ReEncrypt used its source key too
                if out.get(member):
                    self.usage.note(out[member], name, ctx.request_id)
        return out

    return call


def around_calls(cls: C) -> C:
    """Class decorator: each implemented operation that takes DryRun or is tracked, wrapped."""
    for name in dry_runnable_operations() | tracked_operations():
        method = getattr(cls, name, None)
        if callable(method):
            setattr(cls, name, _around(name, method))
    return cls
