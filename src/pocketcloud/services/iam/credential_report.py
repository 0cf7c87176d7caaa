"""IAM credential report: one CSV line per user (and the root user first) saying which
credentials it has and when they were last rotated or used, in AWS's column order and
with AWS's placeholders ("N/A", "not_supported", "no_information").

The report is made at once, so GenerateCredentialReport answers STARTED only when no
report existed, as AWS does on the first call; a report expires four hours after it was made.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.protocol.errors import ServiceError
from pocketcloud.services.iam.common import now, scope
from pocketcloud.services.iam.key_last_used import KeyUseRecorder
from pocketcloud.services.iam.principals import USER, Principals

Params = dict[str, Any]
COLLECTION = "credential_reports"
LIFETIME = timedelta(hours=4)
COLUMNS = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
).split(",")


def _key_columns(key: dict[str, Any] | None) -> list[str]:
    if key is None:
        return ["false", "N/A", "N/A", "N/A", "N/A"]
    last = key.get("LastUsed") or {}
    return [
        "true" if key["Status"] == "Active" else "false",
        key["CreateDate"],
        last.get("LastUsedDate", "N/A"),
        last.get("Region", "N/A"),
        last.get("ServiceName", "N/A"),
    ]


def _cert_columns(cert: dict[str, Any] | None) -> list[str]:
    if cert is None:
        return ["false", "N/A"]
    return ["true" if cert["Status"] == "Active" else "false", cert["UploadDate"]]


class CredentialReportOperations:
    principals: Principals
    key_uses: KeyUseRecorder

    def _report_row(self, ctx: RequestContext, user: dict[str, Any]) -> list[str]:
        name = user["UserName"]
        keys = self._keys(ctx, name)  # type: ignore[attr-defined]
        certs = self._user_items(ctx, "signing_certificates", name)  # type: ignore[attr-defined]
        login = user.get("LoginProfile")
        return [
            name,
            user["Arn"],
            user["CreateDate"],
            "true" if login else "false",
            user.get("PasswordLastUsed", "no_information") if login else "N/A",
            (user.get("Password") or {}).get("LastChanged", login["CreateDate"]) if login else "N/A",
            "N/A",
            "true" if self.user_mfa_devices(ctx, name) else "false",  # type: ignore[attr-defined]
            *_key_columns(keys[0] if keys else None),
            *_key_columns(keys[1] if len(keys) > 1 else None),
            *_cert_columns(certs[0] if certs else None),
            *_cert_columns(certs[1] if len(certs) > 1 else None),
        ]

    def GenerateCredentialReport(self, ctx: RequestContext, p: Params) -> Params:
        self.key_uses.flush()  # the report shows each key's latest use
        reports = self.principals.store.collection("iam", COLLECTION)
        existed = reports.get(scope(ctx), "report") is not None
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        account = ctx.account_id
        # The root user: its password and keys are pocketcloud's configuration, not IAM's.
        root = ["<root_account>", f"arn:aws:iam::{account}:root", "N/A", "not_supported", "no_information"]
        root += ["not_supported", "not_supported", "false", *_key_columns(None), *_key_columns(None)]
        writer.writerow([*root, *_cert_columns(None), *_cert_columns(None)])
        for _, user in self.principals.store.iter_collection("iam", USER.collection, scope(ctx)):
            writer.writerow(self._report_row(ctx, user))
        reports.put(scope(ctx), "report", {"Content": out.getvalue(), "GeneratedTime": now().isoformat()})
        if existed:
            return {"State": "COMPLETE"}
        return {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}

    def GetCredentialReport(self, ctx: RequestContext, p: Params) -> Params:
        report = self.principals.store.collection("iam", COLLECTION).get(scope(ctx), "report")
        if report is None:
            raise ServiceError("ReportNotPresent", "", status=410)
        generated = datetime.fromisoformat(report["GeneratedTime"])
        if now() - generated > LIFETIME:
            raise ServiceError("ReportExpired", "", status=410)
        return {"Content": report["Content"].encode(), "ReportFormat": "text/csv", "GeneratedTime": generated}
