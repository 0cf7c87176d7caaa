"""The services pocketcloud implements: one package each, with a provider.

`PROVIDERS` names each service's provider class by import path, so that a
service's code is imported only when the service is first used.
"""

from __future__ import annotations

PROVIDERS: dict[str, str] = {
    "sts": "pocketcloud.services.sts.provider:StsProvider",
}
