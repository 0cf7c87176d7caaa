"""What a provider is, and what it is given.

A provider implements one AWS service: one method per operation, named exactly
as the operation (`GetCallerIdentity`), taking the request context and the
input parameters as botocore names them, returning the output as a dict, and
raising `ServiceError` for AWS errors. State lives only in the store.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.config import Settings
from pocketcloud.store import Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from pocketcloud.iam.authorizer import Authorizer


class Provider:
    service: ClassVar[str]

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime
        self.store = runtime.store

    async def start(self) -> None:
        """Start background workers; called once when the server starts."""

    async def stop(self) -> None:
        """Stop background workers; called once when the server stops."""

    def implements(self, operation: str) -> bool:
        return callable(getattr(self, operation, None)) and operation[:1].isupper()


@dataclass
class ServiceRuntime:
    """Shared by every provider of one server: settings, store, credentials, the other services."""

    settings: Settings
    store: Store
    credentials: CredentialDirectory
    provider_paths: dict[str, str]
    _providers: dict[str, Provider] = field(default_factory=dict)
    # Called after every AWS call: (context or None, operation name, error or None).
    observers: list[Callable[..., None]] = field(default_factory=list)
    _authorizer: Authorizer | None = None

    @property
    def authorizer(self) -> Authorizer:
        """The IAM engine's one authorizer: the request chain's authorize step, and every check a
        provider makes besides (another action on the same request, a call made on a role's or a
        service's behalf), so that all share its compiled policies and decisions."""
        if self._authorizer is None:
            from pocketcloud.iam.authorizer import Authorizer

            self._authorizer = Authorizer(self)
        return self._authorizer

    def provider(self, service: str) -> Provider | None:
        """The provider of `service`, created on first use; None if pocketcloud has none."""
        existing = self._providers.get(service)
        if existing is not None:
            return existing
        path = self.provider_paths.get(service)
        if path is None:
            return None
        module_name, _, class_name = path.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        provider: Provider = cls(self)
        self._providers[service] = provider
        return provider

    @property
    def started_providers(self) -> dict[str, Provider]:
        return dict(self._providers)
