"""The Lambda provider: functions and their settings, permissions, and invocation.

Execution environments belong to a pool started with the server; the
asynchronous-invocation worker starts with it too, so queued events resume
after a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil

from pocketcloud.lambda_runtime.pool import EnvironmentPool
from pocketcloud.services.awslambda.abac import AbacOperations
from pocketcloud.services.awslambda.async_invoke import AsyncInvokeOperations
from pocketcloud.services.awslambda.code import package_bytes
from pocketcloud.services.awslambda.code_signing import CodeSigningOperations
from pocketcloud.services.awslambda.code_urls import CodeUrlSigner
from pocketcloud.services.awslambda.doc_cache import watched
from pocketcloud.services.awslambda.event_sources import EventSourceOperations
from pocketcloud.services.awslambda.function_controls import FunctionControlOperations
from pocketcloud.services.awslambda.function_urls import FunctionUrlOperations
from pocketcloud.services.awslambda.functions import FunctionOperations, FunctionStore
from pocketcloud.services.awslambda.invoke import InvokeOperations
from pocketcloud.services.awslambda.layers import LayerOperations
from pocketcloud.services.awslambda.permissions import PermissionOperations
from pocketcloud.services.awslambda.provisioned import ProvisionedConcurrencyOperations
from pocketcloud.services.awslambda.resource_policy import ResourcePolicyOperations
from pocketcloud.services.awslambda.response_stream import ResponseStreamOperations
from pocketcloud.services.awslambda.settings_ops import SettingsOperations
from pocketcloud.services.awslambda.tags import TagOperations
from pocketcloud.services.awslambda.updates import UpdatesInProgress
from pocketcloud.services.awslambda.versions import VersionOperations
from pocketcloud.services.base import Provider, ServiceRuntime


class LambdaProvider(
    AbacOperations,
    AsyncInvokeOperations,
    CodeSigningOperations,
    EventSourceOperations,
    FunctionControlOperations,
    FunctionOperations,
    FunctionUrlOperations,
    InvokeOperations,
    LayerOperations,
    PermissionOperations,
    ProvisionedConcurrencyOperations,
    ResourcePolicyOperations,
    ResponseStreamOperations,
    SettingsOperations,
    TagOperations,
    VersionOperations,
    Provider,
):
    service = "lambda"

    def __init__(self, runtime: ServiceRuntime) -> None:
        super().__init__(runtime)
        store = runtime.store
        self.functions = FunctionStore(store)
        self.updates = UpdatesInProgress()  # the functions an update is being made to now
        # The read cache Invoke uses (doc_cache.py) is emptied by any write to these four collections.
        self.policies = watched(store.collection("lambda", "policies"), self.functions.cache)
        self.invoke_configs = store.collection("lambda", "event_invoke_configs")
        self.layers = store.collection("lambda", "layers")
        self.layer_counters = store.collection("lambda", "layer_counters")
        self.retired_layers = store.collection("lambda", "retired_layers")
        self.url_configs = store.collection("lambda", "url_configs")
        self.async_queue = store.collection("lambda", "async_queue")
        self.mappings = store.collection("lambda", "event_source_mappings")
        self.provisioned = store.collection("lambda", "provisioned_concurrency")
        self.code_signing = store.collection("lambda", "code_signing_configs")
        self._pollers: dict[str, asyncio.Task[None]] = {}
        settings = runtime.settings
        # Each environment's /tmp is a directory there, removed when it ends; none outlives the server,
        # so what is left is of a server that was killed. Removed before any environment can start.
        shutil.rmtree(store.data_dir / "lambda" / "tmp", ignore_errors=True)
        self.pool = EnvironmentPool(
            settings.lambda_account_concurrency, settings.lambda_idle_seconds, settings.lambda_max_idle
        )
        self._queue_wakeup = asyncio.Event()
        self._async_tasks: set[asyncio.Task[None]] = set()
        self._async_running: set[str] = set()  # queue keys of the events being run now
        self._worker: asyncio.Task[None] | None = None
        self.code_urls = CodeUrlSigner(store)  # Code.Location URLs are signed and expire (code_urls.py)

    def code_package(self, code_hex: str, expires: str | None, signature: str | None) -> bytes | None:
        """A stored deployment package by its SHA-256 (hex), for the download URL in Code.Location;
        None unless the URL's signature is ours and unexpired, or no such package is stored."""
        if not self.code_urls.valid(code_hex, expires, signature):
            return None
        return (
            package_bytes(self.runtime.store, code_hex)
            if all(c in "0123456789abcdef" for c in code_hex)
            else None
        )

    async def start(self) -> None:
        self.functions.cache.clear()  # the store may have been reset while the provider was stopped
        self.pool.start()
        if self._worker is None:
            self._worker = asyncio.create_task(self.async_worker())
        self.start_pollers()

    async def stop(self) -> None:
        self.functions.cache.clear()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        for task in [*self._async_tasks, *self._pollers.values()]:
            task.cancel()
        self._pollers.clear()
        await self.pool.close()
