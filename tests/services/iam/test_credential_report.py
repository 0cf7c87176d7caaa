"""IAM credential report through boto3: generated on request, read as CSV with AWS's columns,
the root user first and a line per user saying which credentials it has.
"""

from __future__ import annotations

import csv
import io

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, make_client
from tests.services.iam.support import unique

COLUMNS = [
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated",
    "access_key_1_last_used_date", "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service", "cert_1_active", "cert_1_last_rotated",
    "cert_2_active", "cert_2_last_rotated",
]  # fmt: skip


def test_the_report_lists_root_and_each_user_with_their_credentials(endpoint: str) -> None:
    iam = make_client(endpoint, "iam")
    name = unique("report")
    iam.create_user(UserName=name)
    iam.create_access_key(UserName=name)
    iam.create_login_profile(UserName=name, Password="Secret-Passw0rd!")
    assert iam.generate_credential_report()["State"] in ("STARTED", "COMPLETE")
    assert iam.generate_credential_report()["State"] == "COMPLETE"
    report = iam.get_credential_report()
    assert report["ReportFormat"] == "text/csv"
    rows = list(csv.DictReader(io.StringIO(report["Content"].decode())))
    assert list(rows[0]) == COLUMNS
    assert (rows[0]["user"], rows[0]["arn"]) == ("<root_account>", f"arn:aws:iam::{ROOT_ACCOUNT}:root")
    mine = next(r for r in rows if r["user"] == name)
    assert mine["arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:user/{name}"
    assert (mine["password_enabled"], mine["access_key_1_active"], mine["access_key_2_active"]) == (
        "true",
        "true",
        "false",
    )
    assert (mine["mfa_active"], mine["cert_1_active"], mine["access_key_2_last_rotated"]) == (
        "false",
        "false",
        "N/A",
    )


def test_get_before_any_report_is_report_not_present() -> None:
    fresh = ServerProcess().start()  # an account that has never generated a report
    try:
        with pytest.raises(ClientError) as info:
            make_client(fresh.endpoint, "iam").get_credential_report()
        error = info.value.response
        assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == (
            "ReportNotPresent",
            410,
        )
        assert "Message" not in error["Error"]  # AWS's answer carries no message
    finally:
        fresh.stop()
