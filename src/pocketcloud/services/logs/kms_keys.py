"""AssociateKmsKey / DisassociateKmsKey: the KMS key a log group (or the account's Logs Insights
query results) is encrypted with.

A key is named by its ARN in the group's Region (key ids, aliases and other Regions' keys are
refused with the wording below; keys of other accounts are taken). CloudWatch Logs uses the key
in its own name, so the key must exist, be enabled, and its key policy must let the service
principal `logs.<region>.amazonaws.com` use it for the group (the encryption context
`aws:logs:arn` names it): otherwise AWS's AccessDeniedException "The specified KMS key does not
exist or is not allowed to be used with Arn '<group ARN>'" ("Encrypt log data in CloudWatch Logs
using AWS KMS"). The key is kept on the group's document, where DescribeLogGroups shows it as
`kmsKeyId`; the query-result key is kept per account and region.
"""

from __future__ import annotations

import re
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.logs.errors import LogsMixin, invalid
from pocketcloud.store import Collection

Params = dict[str, Any]

_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key/[A-Za-z0-9-]{1,128}")
QUERY_RESULTS_KEY = "query-results-kms-key"


def check_kms_key(key: str, region: str) -> None:
    """Refuse what is not the ARN of a KMS key in `region`."""
    match = _KEY_ARN.fullmatch(key)
    if match is None or match.group(1) != region:
        raise invalid("The specified KMS Key Id could not be found.")


def check_group_key(runtime: Any, ctx: RequestContext, key: str, group: str) -> None:
    """AccessDeniedException unless the key is usable and its policy lets CloudWatch Logs encrypt
    the group's data with it."""
    check_kms_key(key, ctx.region)
    kms = runtime.provider("kms")
    if kms is None:
        return
    group_arn = f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"
    refused = ServiceError(
        "AccessDeniedException",
        f"The specified KMS key does not exist or is not allowed to be used with Arn '{group_arn}'",
        status=400,
    )
    try:
        arn = kms.key_for((ctx.account_id, ctx.region), key, "logs")
    except ServiceError:
        raise refused from None
    for service in (f"logs.{ctx.region}.amazonaws.com", "logs.amazonaws.com"):
        as_logs = RequestContext.service_principal(
            service, "logs", "AssociateKmsKey", ctx.region, ctx.account_id, group_arn
        )
        try:
            kms.authorize_use(as_logs, arn, "kms:GenerateDataKey", "logs", {"aws:logs:arn": group_arn})
        except ServiceError:
            continue
        return
    raise refused


class KmsKeyOperations(LogsMixin):
    groups: Collection
    account_settings: Collection
    store: Any

    def _kms_target(self, ctx: RequestContext, p: Params) -> str | None:
        """The group an operation names, or None for the account's query results."""
        name, identifier = p.get("logGroupName"), p.get("resourceIdentifier")
        if name and identifier:
            raise invalid("LogGroup name and resource identifier are mutually exclusive parameters.")
        if name:
            return str(name)
        if not identifier:
            raise invalid("Either logGroupName or resourceIdentifier must be specified.")
        parts = identifier.split(":", 6)
        if len(parts) == 7 and parts[2] == "logs" and parts[5] == "query-result":
            if (parts[4], parts[3]) != (ctx.account_id, ctx.region):
                raise ServiceError(
                    "ResourceNotFoundException", "The specified resource does not exist.", status=400
                )
            return None
        return self._from_identifier(ctx, identifier)

    def _set_key(self, ctx: RequestContext, p: Params, key: str | None) -> None:
        scope = self._scope(ctx)
        target = self._kms_target(ctx, p)
        with self.store.transaction():
            if target is None:
                if key:
                    self.account_settings.put(scope, QUERY_RESULTS_KEY, {"kmsKeyId": key})
                else:
                    self.account_settings.delete(scope, QUERY_RESULTS_KEY)
                return
            doc = self._group(ctx, target)
            if key:
                doc["kmsKeyId"] = key
            else:
                doc.pop("kmsKeyId", None)
            self.groups.put(scope, target, doc)

    def AssociateKmsKey(self, ctx: RequestContext, p: Params) -> Params:
        check_kms_key(p["kmsKeyId"], ctx.region)
        target = self._kms_target(ctx, p)
        if target is not None:
            self._group(ctx, target)  # ResourceNotFoundException before the key's checks
            check_group_key(self.runtime, ctx, p["kmsKeyId"], target)  # type: ignore[attr-defined]
        self._set_key(ctx, p, p["kmsKeyId"])
        return {}

    def DisassociateKmsKey(self, ctx: RequestContext, p: Params) -> Params:
        self._set_key(ctx, p, None)
        return {}
