"""The services pocketcloud implements: one package each, with a provider.

`PROVIDERS` names each service's provider class by import path, so that a
service's code is imported only when the service is first used.
"""

from __future__ import annotations

PROVIDERS: dict[str, str] = {
    "iam": "pocketcloud.services.iam.provider:IamProvider",
    "lambda": "pocketcloud.services.awslambda.provider:LambdaProvider",
    "logs": "pocketcloud.services.logs.provider:LogsProvider",
    "organizations": "pocketcloud.services.organizations.provider:OrganizationsProvider",
    "s3": "pocketcloud.services.s3.provider:S3Provider",
    "sts": "pocketcloud.services.sts.provider:StsProvider",
}

# Created when the server starts rather than on first use: they answer for
# credentials (authentication needs them before any call to them) or run
# background work that must resume after a restart.
EAGER_SERVICES: tuple[str, ...] = ("iam", "sts", "organizations", "lambda")
