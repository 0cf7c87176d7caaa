"""Assemble one pocketcloud server (settings → store → services → gateway) and run it."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Any

import uvicorn

from pocketcloud import __version__
from pocketcloud.auth.credentials import CredentialDirectory
from pocketcloud.config import Settings
from pocketcloud.gateway.app import Gateway
from pocketcloud.gateway.connection import HttpConnection
from pocketcloud.services import PROVIDERS
from pocketcloud.services.base import ServiceRuntime
from pocketcloud.store import open_store


def build_app(settings: Settings) -> Gateway:
    store = open_store(None if settings.ephemeral else settings.data_dir)
    credentials = CredentialDirectory(settings)
    for account_id, key_id, secret in settings.accounts:
        credentials.add_root_key(account_id, key_id, secret)
    runtime = ServiceRuntime(
        settings=settings,
        store=store,
        credentials=credentials,
        provider_paths=dict(PROVIDERS),
    )
    return Gateway(runtime)


def tune_garbage_collector() -> None:
    """Make the cyclic garbage collector cheap for a server that allocates much and keeps little.

    Requests free nearly everything they allocate by reference counting, yet with CPython's
    default thresholds (700, 10, 10) a listing page of a thousand entries triggers a young
    collection every few hundred dicts, and every hundredth one walks every object alive,
    botocore's service models included: 15% of a page's CPU. Objects alive once the server is up
    are frozen out of collection, and young collections run every 20,000 allocations instead.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


class _Server(uvicorn.Server):
    """uvicorn's server, announcing the endpoint once the socket is listening."""

    def __init__(self, config: uvicorn.Config, settings: Settings, data_dir: str) -> None:
        super().__init__(config)
        self.settings = settings
        self.data_dir = data_dir

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets)
        if self.started:
            tune_garbage_collector()
            s = self.settings
            print(
                f"pocketcloud {__version__} ready on {s.endpoint}\n"
                f"  credentials  AWS_ACCESS_KEY_ID={s.access_key_id} "
                f"AWS_SECRET_ACCESS_KEY={s.secret_access_key} (account {s.account_id}, any region)\n"
                f"  data         {self.data_dir}\n"
                f"  try          aws --endpoint-url {s.endpoint} sts get-caller-identity",
                flush=True,
            )


def serve(settings: Settings) -> int:
    settings.check_bind_address()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    app = build_app(settings)
    data_dir = "(ephemeral) " + str(app.runtime.store.data_dir) if settings.ephemeral else str(app.runtime.store.data_dir)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        loop="uvloop" if sys.platform != "win32" else "asyncio",
        # Our own connection protocol (gateway/connection.py): httptools, without ASGI per request.
        http=HttpConnection,
        lifespan="on",
        # Nothing sits in front of pocketcloud: X-Forwarded-* must not rewrite the client address
        # (aws:SourceIp), and the middleware would cost a layer per request.
        proxy_headers=False,
        access_log=False,
        log_level=settings.log_level,
        server_header=False,
        date_header=False,  # gateway/connection.py writes its own, exact to the second
        timeout_keep_alive=60,
    )
    server = _Server(config, settings, data_dir)
    server.run()
    return 0 if server.started else 1
