"""Presigned URLs and Signature Version 2: SigV4 query signatures (expiry enforced), SigV2 in the
header (`Authorization: AWS AKID:signature`, boto3's signature_version='s3') and in the query
(AWSAccessKeyId/Expires/Signature, what `aws s3 presign` of the AWS CLI v1 produces)."""

from __future__ import annotations

import base64
import datetime
import hmac
import importlib
import os
import subprocess
import sys
from http.client import HTTPConnection
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree

import botocore.auth
import pytest
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.compat import HAS_CRT
from botocore.credentials import Credentials

from tests.conftest import ROOT_KEY, ROOT_SECRET, make_client
from tests.services.s3.access_support import error_code, http
from tests.services.s3.core_support import error_of


@pytest.fixture(scope="module")
def v2(endpoint: str) -> Any:
    return make_client(endpoint, "s3", signature_version="s3")


@pytest.fixture(scope="module")
def v4(endpoint: str) -> Any:
    return make_client(endpoint, "s3", signature_version="s3v4")


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- SigV4 presigned URLs ----------------------------------------------------------------------


def test_sigv4_presigned_put_then_get(v4: Any, bucket: str) -> None:
    put = v4.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "dir/a b.txt"}, ExpiresIn=300
    )
    assert "X-Amz-Signature=" in put
    assert http("PUT", put, b"uploaded")[0] == 200
    get = v4.generate_presigned_url(
        "get_object",
        Params={"Bucket": bucket, "Key": "dir/a b.txt", "ResponseContentDisposition": "attachment"},
    )
    status, body, headers = http("GET", get)
    assert (status, body, headers["content-disposition"]) == (200, b"uploaded", "attachment")


def test_sigv4_presigned_url_expires(v4: Any, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    v4.put_object(Bucket=bucket, Key="k", Body=b"x")
    signed_at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=2)
    # The client signs two hours ago, with botocore's own signer or (awscrt installed) the CRT's.
    monkeypatch.setattr(
        botocore.auth, "get_current_datetime", lambda *_, **__: signed_at.replace(tzinfo=None)
    )
    if HAS_CRT:
        crt_auth = importlib.import_module("botocore.crt.auth")
        monkeypatch.setattr(crt_auth, "get_current_datetime", lambda *_, **__: signed_at)
    url = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=3600)
    monkeypatch.undo()
    assert "X-Amz-Expires=3600" in url
    status, body, _ = http("GET", url)
    assert (status, error_code(body)) == (403, ("AccessDenied", "Request has expired"))


def test_sigv4_presigned_url_with_a_changed_key_is_refused(v4: Any, bucket: str) -> None:
    v4.put_object(Bucket=bucket, Key="a", Body=b"x")
    v4.put_object(Bucket=bucket, Key="b", Body=b"y")
    url = v4.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a"})
    status, body, _ = http("GET", url.replace(f"/{bucket}/a?", f"/{bucket}/b?"))
    assert (status, error_code(body)[0]) == (403, "SignatureDoesNotMatch")


def test_sigv4_presigned_put_applies_x_amz_query_parameters_as_headers(s3: Any, bucket: str) -> None:
    # The JavaScript SDK v3 hoists x-amz-* headers into the query of a presigned URL (signed as
    # query parameters, not as SignedHeaders); S3 applies them to the upload as headers.
    request = AWSRequest(
        method="PUT",
        url=f"{s3.meta.endpoint_url}/{bucket}/js.txt?x-amz-meta-color=green&x-amz-storage-class=STANDARD_IA",
    )
    S3SigV4QueryAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "us-east-1", expires=300).add_auth(request)
    assert "X-Amz-SignedHeaders=host&" in request.url
    assert http("PUT", request.url, b"hoisted")[0] == 200
    head = s3.head_object(Bucket=bucket, Key="js.txt")
    assert (head["Metadata"], head["StorageClass"]) == ({"color": "green"}, "STANDARD_IA")


@pytest.mark.parametrize("presigned", [False, True], ids=["header", "query"])
def test_sigv4_credential_with_an_empty_region_is_refused(endpoint: str, bucket: str, presigned: bool) -> None:
    # A scope of <key>/<date>//s3/aws4_request (the AWS CLI with AWS_REGION= in siderolabs/omni#98,
    # libcloud's MinIO driver): S3 answers 400 before looking at the signature, even for ListBuckets.
    for url in (f"{endpoint}/", f"{endpoint}/{bucket}"):
        request = AWSRequest(method="GET", url=url)
        if presigned:
            S3SigV4QueryAuth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "", expires=300).add_auth(request)
        else:
            botocore.auth.S3SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "s3", "").add_auth(request)
        prepared = request.prepare()
        status, body, _ = http("GET", prepared.url, headers=dict(prepared.headers))
        detail = "a non-empty region must be provided in the credential."
        if presigned:
            expected = ("AuthorizationQueryParametersError", "Error parsing the X-Amz-Credential parameter; " + detail)
        else:
            expected = ("AuthorizationHeaderMalformed", "The authorization header is malformed; " + detail)
        assert (status, *error_code(body)) == (400, *expected)


# --- SigV2 in the Authorization header ---------------------------------------------------------------


def test_sigv2_header_signed_requests_work_for_objects_listings_and_subresources(
    v2: Any, bucket: str
) -> None:
    v2.put_object(
        Bucket=bucket,
        Key="dir/file name+1.txt",
        Body=b"v2 body",
        ContentType="text/plain",
        Metadata={"Color": "blue"},
    )
    got = v2.get_object(Bucket=bucket, Key="dir/file name+1.txt")
    assert (got["Body"].read(), got["Metadata"], got["ContentType"]) == (
        b"v2 body",
        {"color": "blue"},
        "text/plain",
    )
    assert [o["Key"] for o in v2.list_objects_v2(Bucket=bucket, Prefix="dir/")["Contents"]] == [
        "dir/file name+1.txt"
    ]
    v2.put_object_tagging(
        Bucket=bucket, Key="dir/file name+1.txt", Tagging={"TagSet": [{"Key": "t", "Value": "1"}]}
    )
    assert v2.get_object_tagging(Bucket=bucket, Key="dir/file name+1.txt")["TagSet"] == [
        {"Key": "t", "Value": "1"}
    ]
    assert v2.get_bucket_acl(Bucket=bucket)["Grants"][0]["Permission"] == "FULL_CONTROL"
    upload = v2.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    etag = v2.upload_part(Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"part")["ETag"]
    v2.complete_multipart_upload(
        Bucket=bucket, Key="mp", UploadId=upload, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert v2.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"part"


def test_sigv2_header_with_a_wrong_secret_is_signature_does_not_match(endpoint: str, bucket: str) -> None:
    wrong = make_client(endpoint, "s3", secret="not-the-secret", signature_version="s3")
    code, status, _ = error_of(wrong.head_bucket, Bucket=bucket)
    assert (code, status) == ("403", 403)  # HEAD: no body, the status says it
    code, status, message = error_of(wrong.list_objects_v2, Bucket=bucket)
    assert (code, status) == ("SignatureDoesNotMatch", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_sigv2_header_unknown_key_and_stale_date(endpoint: str, bucket: str) -> None:
    unknown = make_client(endpoint, "s3", key="AKIANOSUCHKEY0000000", signature_version="s3")
    assert error_of(unknown.list_objects_v2, Bucket=bucket)[:2] == ("InvalidAccessKeyId", 403)
    stale = "Mon, 01 Jan 2001 00:00:00 GMT"
    status, body, _ = http(
        "GET", f"{endpoint}/{bucket}", headers={"Date": stale, "Authorization": f"AWS {ROOT_KEY}:abc="}
    )
    assert (status, error_code(body)[0]) == (403, "RequestTimeTooSkewed")
    status, body, _ = http("GET", f"{endpoint}/{bucket}", headers={"Authorization": f"AWS {ROOT_KEY}"})
    assert (status, error_code(body)[0]) == (400, "InvalidArgument")


def test_sigv2_header_signs_a_subresource_sent_with_an_empty_value_by_its_bare_name(
    endpoint: str, s3: Any, bucket: str
) -> None:
    # Go clients (rclone's --s3-v2-auth over aws-sdk-go, minio-go) send `?uploads=`, `?acl=`; the AWS
    # SDK for PHP's S3SignatureV2 signs a sub-resource with an empty value by its name alone
    # ("/bucket/key?uploads"), as the developer guide's "its value if it has one" says.
    date = datetime.datetime.now(datetime.UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")

    def signed(method: str, target: str, resource: str) -> tuple[int, bytes, dict[str, str]]:
        to_sign = f"{method}\n\n\n{date}\n{resource}"
        signature = base64.b64encode(hmac.digest(ROOT_SECRET.encode(), to_sign.encode(), "sha1")).decode()
        return http(
            method, endpoint + target, headers={"Date": date, "Authorization": f"AWS {ROOT_KEY}:{signature}"}
        )

    status, body, _ = signed("POST", f"/{bucket}/mp-empty?uploads=", f"/{bucket}/mp-empty?uploads")
    assert status == 200, body
    upload = ElementTree.fromstring(body).findtext("{http://s3.amazonaws.com/doc/2006-03-01/}UploadId")
    assert [
        u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket, Prefix="mp-empty")["Uploads"]
    ] == [upload]
    status, body, _ = signed("GET", f"/{bucket}?acl=", f"/{bucket}?acl")
    assert status == 200, body


# --- SigV2 query strings --------------------------------------------------------------------------


def test_sigv2_presigned_get_with_response_override_and_presigned_put(v2: Any, bucket: str) -> None:
    put = v2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "q.txt"}, ExpiresIn=120)
    assert "AWSAccessKeyId=" in put and "Expires=" in put
    assert http("PUT", put, b"via query v2")[0] == 200
    get = v2.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "q.txt", "ResponseContentType": "text/x-test"}
    )
    status, body, headers = http("GET", get)
    assert (status, body, headers["content-type"]) == (200, b"via query v2", "text/x-test")


def test_sigv2_presigned_put_stores_the_metadata_and_content_type_of_its_query(
    v2: Any, s3: Any, bucket: str
) -> None:
    url = v2.generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": "m.txt", "ContentType": "text/plain", "Metadata": {"Color": "blue"}},
    )
    assert "x-amz-meta-color=blue" in url and "content-type=text%2Fplain" in url  # botocore moved them there
    assert http("PUT", url, b"with metadata")[0] == 200  # sent with no headers at all
    head = s3.head_object(Bucket=bucket, Key="m.txt")
    assert (head["Metadata"], head["ContentType"]) == ({"color": "blue"}, "text/plain")


def test_sigv2_presigned_url_expired_or_tampered(v2: Any, bucket: str) -> None:
    v2.put_object(Bucket=bucket, Key="k", Body=b"x")
    expired = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=-60)
    status, body, _ = http("GET", expired)
    assert (status, error_code(body)) == (403, ("AccessDenied", "Request has expired"))
    good = v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=60)
    later = str(int(dict(parse_qsl(urlsplit(good).query))["Expires"]) + 3600)
    status, body, _ = http("GET", _with_query(good, Expires=later))
    assert (status, error_code(body)[0]) == (403, "SignatureDoesNotMatch")
    status, body, _ = http("GET", _with_query(good, Signature=""))
    assert (status, error_code(body)[0]) == (403, "AccessDenied")


def test_aws_cli_v1_presign_url_fetches_the_object(endpoint: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cli/report.txt", Body=b"from the cli")
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": ROOT_KEY,
        "AWS_SECRET_ACCESS_KEY": ROOT_SECRET,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "awscli",
            "--endpoint-url",
            endpoint,
            "s3",
            "presign",
            f"s3://{bucket}/cli/report.txt",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip()
    assert "Signature=" in url  # the CLI v1 presigns with SigV2 unless told otherwise
    assert http("GET", url)[:2] == (200, b"from the cli")


def test_sigv2_with_session_credentials(endpoint: str, bucket: str) -> None:
    creds = make_client(endpoint, "sts").get_session_token()["Credentials"]
    session = make_client(
        endpoint,
        "s3",
        key=creds["AccessKeyId"],
        secret=creds["SecretAccessKey"],
        token=creds["SessionToken"],
        signature_version="s3",
    )
    session.put_object(Bucket=bucket, Key="s", Body=b"token")
    url = session.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "s"})
    assert "x-amz-security-token=" in url
    assert http("GET", url)[:2] == (200, b"token")
    status, body, _ = http("GET", _with_query(url, **{"x-amz-security-token": "bogus"}))
    assert status in (400, 403) and error_code(body)[0] in ("InvalidToken", "SignatureDoesNotMatch")


def _put_unframed(url: str, chunks: list[bytes] | None) -> tuple[int, bytes]:
    """A PUT of `chunks` in HTTP chunked framing, or with no body and no Content-Length at all
    (http.client adds `Content-Length: 0` to a bodiless PUT unless the request is built by hand)."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        connection.putrequest("PUT", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
        if chunks is not None:
            connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        try:
            for chunk in chunks or []:
                connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if chunks is not None:
                connection.send(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # S3 may answer (and close) on the head alone, before the body has gone out
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("operation", ["put_object", "upload_part"])
def test_a_presigned_put_must_say_its_length(v4: Any, bucket: str, operation: str) -> None:
    # S3 answers an object or part PUT without Content-Length 411 MissingContentLength, and one in
    # HTTP chunked framing (not aws-chunked) 501 NotImplemented naming Transfer-Encoding (as clients
    # sending a stream of unknown length see it: aws-sdk-js-v3#3400, arrow-rs#4514).
    params: dict[str, Any] = {"Bucket": bucket, "Key": "framed"}
    if operation == "upload_part":
        params |= {"UploadId": v4.create_multipart_upload(**params)["UploadId"], "PartNumber": 1}
    url = v4.generate_presigned_url(operation, Params=params, ExpiresIn=300)
    status, body = _put_unframed(url, None)
    assert (status, error_code(body)[0]) == (411, "MissingContentLength")
    status, body = _put_unframed(url, [b"hello"])
    assert (status, error_code(body)[0]) == (501, "NotImplemented")
    assert b"<Header>Transfer-Encoding</Header>" in body
    assert http("PUT", url, b"hello")[0] == 200
