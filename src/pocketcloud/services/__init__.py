"""The services pocketcloud implements: one package each, with a provider.

`PROVIDERS` names each service's provider class by import path, so that a
service's code is imported only when the service is first used.
"""

from __future__ import annotations

PROVIDERS: dict[str, str] = {
    "iam": "pocketcloud.services.iam.provider:IamProvider",
    "kms": "pocketcloud.services.kms.provider:KmsProvider",
    "lambda": "pocketcloud.services.awslambda.provider:LambdaProvider",
    "logs": "pocketcloud.services.logs.provider:LogsProvider",
    "organizations": "pocketcloud.services.organizations.provider:OrganizationsProvider",
    "s3": "pocketcloud.services.s3.provider:S3Provider",
    "s3control": "pocketcloud.services.s3control.provider:S3ControlProvider",
    "sqs": "pocketcloud.services.sqs.provider:SqsProvider",
    "sts": "pocketcloud.services.sts.provider:StsProvider",
}

# Created before the server answers its first request: they answer for
# credentials (IAM access keys, STS sessions, Organizations root keys), which
# authentication needs before any call to them.
CREDENTIAL_SERVICES: tuple[str, ...] = ("iam", "sts", "organizations")
# Started right after the server is up: their background work (Lambda's async
# queue, CloudWatch Logs retention, S3 lifecycle sweeps, SQS retention and
# message move tasks, ...) resumes after a restart without delaying it.
BACKGROUND_SERVICES: tuple[str, ...] = ("lambda", "logs", "sqs", "s3")
