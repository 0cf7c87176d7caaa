"""pocketcloud's own endpoints under /_pocketcloud/: health and reset (and the OIDC discovery
documents of the issuers of STS's GetWebIdentityToken, under /_pocketcloud/issuers/<id>/).

These are not AWS APIs; they answer JSON and are used by the CLI (`status`,
`reset`) and by anyone waiting for the server to come up.
"""

from __future__ import annotations

import json
from typing import Any

from pocketcloud import __version__
from pocketcloud.config import is_loopback
from pocketcloud.gateway.http import Request, Response
from pocketcloud.services.base import ServiceRuntime


def _json(status: int, data: dict[str, Any]) -> Response:
    return Response(
        status=status,
        headers=[("Content-Type", "application/json")],
        body=json.dumps(data).encode(),
    )


class InternalRoutes:
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    async def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/_pocketcloud/health" and request.method in ("GET", "HEAD"):
            return _json(200, self.health())
        if path == "/_pocketcloud/reset" and request.method == "POST":
            if not is_loopback(request.client_ip):
                return _json(403, {"error": "reset is only accepted from this machine"})
            await self.reset()
            return _json(200, {"reset": True})
        if path.startswith("/_pocketcloud/accounts/") and request.method == "GET":
            # Root credentials of a created account: AWS never returns them, the CLI prints them.
            if not is_loopback(request.client_ip):
                return _json(403, {"error": "only answered on this machine"})
            organizations = self.runtime.provider("organizations")
            found = organizations.root_credentials(path.rsplit("/", 1)[-1]) if organizations else None  # type: ignore[attr-defined]
            return _json(200, found) if found else _json(404, {"error": "no such account"})
        if path.startswith("/_pocketcloud/lambda/code/") and request.method == "GET":
            # Lambda's Code.Location (a presigned S3 URL in AWS): the package, by its SHA-256,
            # only through a URL GetFunction/GetLayerVersion signed less than 10 minutes ago.
            lam = self.runtime.provider("lambda")
            code_hex = path.rsplit("/", 1)[-1]
            expires, signature = request.query_value("Expires"), request.query_value("Signature")
            package = lam.code_package(code_hex, expires, signature) if lam else None  # type: ignore[attr-defined]
            if package is None:
                return _json(403, {"error": "no such code package, or the URL is not signed or has expired"})
            return Response(status=200, headers=[("Content-Type", "application/zip")], body=package)
        if path.startswith("/_pocketcloud/issuers/") and request.method in ("GET", "HEAD"):
            # Public, as an issuer's discovery endpoints are: services/sts/outbound_tokens.py.
            issuer_id, _, document = path[len("/_pocketcloud/issuers/") :].partition("/")
            sts = self.runtime.provider("sts")
            found = sts.issuer_document(issuer_id, document) if sts else None  # type: ignore[attr-defined]
            return _json(200, found) if found else _json(404, {"error": "no such issuer document"})
        return _json(404, {"error": f"no such pocketcloud endpoint: {request.method} {request.path}"})

    def health(self) -> dict[str, Any]:
        runtime = self.runtime
        started = runtime.started_providers
        services = {
            name: ("running" if name in started else "available") for name in sorted(runtime.provider_paths)
        }
        return {
            "version": __version__,
            "status": "running",
            "endpoint": runtime.settings.endpoint,
            "data_dir": str(runtime.store.data_dir),
            "ephemeral": runtime.settings.ephemeral,
            "services": services,
        }

    async def reset(self) -> None:
        for provider in self.runtime.started_providers.values():
            await provider.stop()
        self.runtime.store.reset()
        for provider in self.runtime.started_providers.values():
            await provider.start()
