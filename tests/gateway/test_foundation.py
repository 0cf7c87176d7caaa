"""The spine, end to end: a real server, real clients, AWS's answers."""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, make_client, signing_clock


def error_of(exc_info: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = exc_info.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"].get("Message", "")


def test_aws_cli_get_caller_identity_prints_root_account(aws_env: dict[str, str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "awscli", "sts", "get-caller-identity", "--output", "json"],
        env=aws_env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    identity = json.loads(out.stdout)
    assert identity["Account"] == ROOT_ACCOUNT
    assert identity["Arn"] == f"arn:aws:iam::{ROOT_ACCOUNT}:root"


def test_pocketcloud_aws_fills_in_endpoint_and_credentials(endpoint: str) -> None:
    port = endpoint.rsplit(":", 1)[1]
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("AWS_")}
    env.update({"POCKETCLOUD_PORT": port, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"})
    out = subprocess.run(
        [sys.executable, "-m", "pocketcloud", "aws", "sts", "get-caller-identity", "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["Account"] == ROOT_ACCOUNT


@pytest.mark.parametrize("region", ["us-east-1", "eu-west-3", "ap-southeast-2"])
def test_boto3_get_caller_identity_in_any_region(endpoint: str, region: str) -> None:
    sts = make_client(endpoint, "sts", region=region)
    identity = sts.get_caller_identity()
    assert identity["Account"] == ROOT_ACCOUNT
    assert identity["UserId"] == ROOT_ACCOUNT


def test_wrong_secret_is_signature_does_not_match(endpoint: str) -> None:
    sts = make_client(endpoint, "sts", secret="not-the-secret")
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    code, status, _ = error_of(exc)
    assert (code, status) == ("SignatureDoesNotMatch", 403)


def test_tampered_signature_is_rejected(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")

    def tamper(request, **_: object) -> None:
        auth = request.headers["Authorization"]
        auth = auth.decode() if isinstance(auth, bytes) else auth
        request.headers["Authorization"] = auth[:-1] + ("0" if auth[-1] != "0" else "1")

    sts.meta.events.register_first("before-send.sts.GetCallerIdentity", tamper)
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    assert error_of(exc)[:2] == ("SignatureDoesNotMatch", 403)


def test_unknown_access_key_is_invalid_client_token_id(endpoint: str) -> None:
    sts = make_client(endpoint, "sts", key="AKIAIOSFODNN7EXAMPLE", secret="x")
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    code, status, message = error_of(exc)
    assert (code, status) == ("InvalidClientTokenId", 403)
    assert message == "The security token included in the request is invalid."


def test_unknown_access_key_on_s3_is_invalid_access_key_id(endpoint: str) -> None:
    s3 = make_client(endpoint, "s3", key="AKIAIOSFODNN7EXAMPLE", secret="x")
    with pytest.raises(ClientError) as exc:
        s3.list_buckets()
    assert error_of(exc)[:2] == ("InvalidAccessKeyId", 403)


def test_clock_skewed_by_more_than_15_minutes_is_rejected(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    with signing_clock(skewed):
        with pytest.raises(ClientError) as exc:
            sts.get_caller_identity()
    code, status, message = error_of(exc)
    assert status == 403
    assert code == "SignatureDoesNotMatch"
    assert "Signature expired" in message


def test_clock_skew_within_15_minutes_is_accepted(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(minutes=10)
    with signing_clock(skewed):
        assert sts.get_caller_identity()["Account"] == ROOT_ACCOUNT


def test_clock_skew_on_s3_is_request_time_too_skewed(endpoint: str) -> None:
    s3 = make_client(endpoint, "s3")
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(minutes=30)
    with signing_clock(skewed):
        with pytest.raises(ClientError) as exc:
            s3.list_buckets()
    assert error_of(exc)[:2] == ("RequestTimeTooSkewed", 403)


def _presigned_sts_url(endpoint: str, expires: int) -> str:
    sts = make_client(endpoint, "sts")
    url: str = sts.generate_presigned_url("get_caller_identity", ExpiresIn=expires)
    return url


def test_presigned_get_caller_identity_works_until_it_expires(endpoint: str) -> None:
    with urllib.request.urlopen(_presigned_sts_url(endpoint, 60), timeout=10) as response:
        body = response.read().decode()
    assert "<Account>000000000000</Account>" in body

    sts = make_client(endpoint, "sts")
    past = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(seconds=120)
    with signing_clock(past):
        url = sts.generate_presigned_url("get_caller_identity", ExpiresIn=60)
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(url, timeout=10)
    assert exc.value.code == 403
    assert b"expired" in exc.value.read().lower()


def _post_form(endpoint: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(endpoint + "/", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_unsigned_request_is_missing_authentication_token(endpoint: str) -> None:
    port = endpoint.rsplit(":", 1)[1]
    status, body = _post_form(
        endpoint,
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded", "Host": f"sts.localhost:{port}"},
    )
    assert status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in body


def test_unsigned_form_post_to_the_root_is_answered_as_sts(endpoint: str) -> None:
    # AssumeRoleWithWebIdentity is sent unsigned to the endpoint's root: STS must answer, not S3.
    status, body = _post_form(
        endpoint,
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403
    assert b"<ErrorResponse" in body and b"<Code>MissingAuthenticationToken</Code>" in body


def test_authorization_header_without_signature_is_incomplete_signature(endpoint: str) -> None:
    status, body = _post_form(
        endpoint,
        b"Action=GetCallerIdentity&Version=2011-06-15",
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Amz-Date": datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request",
        },
    )
    assert status == 400
    assert b"<Code>IncompleteSignature</Code>" in body


def test_operation_not_implemented_is_501_naming_service_and_operation(endpoint: str) -> None:
    kinesis = make_client(endpoint, "kinesis")
    with pytest.raises(ClientError) as exc:
        kinesis.list_streams()
    code, status, message = error_of(exc)
    assert (code, status) == ("NotImplemented", 501)
    assert "kinesis" in message and "ListStreams" in message


def test_unknown_query_action_is_invalid_action(endpoint: str) -> None:
    sts = make_client(endpoint, "sts")

    def rename(request, **_: object) -> None:
        request.data = {**request.data, "Action": "GetCallerNonsense"}

    sts.meta.events.register_first("before-sign.sts.GetCallerIdentity", rename)
    with pytest.raises(ClientError) as exc:
        sts.get_caller_identity()
    code, status, _ = error_of(exc)
    assert (code, status) == ("InvalidAction", 400)


def test_malformed_json_body_is_serialization_exception(endpoint: str) -> None:
    logs = make_client(endpoint, "logs")

    def corrupt(request, **_: object) -> None:
        request.data = b"{not json"

    logs.meta.events.register_first("before-sign.cloudwatch-logs.DescribeLogGroups", corrupt)
    with pytest.raises(ClientError) as exc:
        logs.describe_log_groups()
    code, status, _ = error_of(exc)
    assert (code, status) == ("SerializationException", 400)


def test_health_reports_version_and_services(server) -> None:  # noqa: ANN001
    health = server.health()
    assert health["status"] == "running"
    assert health["version"]
    assert "sts" in health["services"]


def test_boto3_session_with_aws_endpoint_url_env(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
    assert session.client("sts").get_caller_identity()["Account"] == ROOT_ACCOUNT
