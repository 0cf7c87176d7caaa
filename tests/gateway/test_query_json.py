"""Every query-protocol service answers in JSON when the request accepts `application/json`, as
AWS's query services do (answers recorded from AWS: STS's {"GetCallerIdentityResponse":
{"GetCallerIdentityResult": {"Account", "Arn", "UserId"}, "ResponseMetadata": {"RequestId"}}},
Elastic Beanstalk's and SNS's {"Error": {"Code", "Message", "Type": "Sender"}, "RequestId"}), with
Content-Type application/json; any other request keeps the XML."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import ROOT_ACCOUNT, ROOT_KEY, ROOT_SECRET


def _post(endpoint: str, service: str, params: dict[str, str], accept: str) -> requests.Response:
    body = urllib.parse.urlencode(params)
    request = AWSRequest(
        method="POST",
        url=endpoint + "/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "Accept": accept},
    )
    SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), service, "us-east-1").add_auth(request)
    return requests.post(request.url, data=body, headers=dict(request.headers), timeout=30)


def _document(response: requests.Response) -> Any:
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_sts_answers_get_caller_identity_in_json(endpoint: str) -> None:
    answer = _post(endpoint, "sts", {"Action": "GetCallerIdentity", "Version": "2011-06-15"}, "application/json")

    assert answer.status_code == 200
    assert _document(answer) == {
        "GetCallerIdentityResponse": {
            "GetCallerIdentityResult": {
                "UserId": ROOT_ACCOUNT,
                "Account": ROOT_ACCOUNT,
                "Arn": f"arn:aws:iam::{ROOT_ACCOUNT}:root",
            },
            "ResponseMetadata": {"RequestId": answer.headers["x-amzn-RequestId"]},
        }
    }


def test_an_accept_header_listing_json_among_others_gets_json(endpoint: str) -> None:
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}

    answer = _post(endpoint, "sts", params, "text/html, application/json;q=0.9")

    assert "GetCallerIdentityResponse" in _document(answer)


def test_the_json_media_type_is_matched_in_any_case(endpoint: str) -> None:
    # Media types are case-insensitive (RFC 9110 §8.3.1); APPLICATION/JSON was answered in XML.
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}

    for accept in ("APPLICATION/JSON", "Application/Json;Q=0.5"):
        assert "GetCallerIdentityResponse" in _document(_post(endpoint, "sts", params, accept))


def test_iam_errors_are_json_error_documents(endpoint: str) -> None:
    params = {"Action": "GetUser", "UserName": "no-such-user-json", "Version": "2010-05-08"}

    answer = _post(endpoint, "iam", params, "application/json")

    assert answer.status_code == 404
    assert _document(answer) == {
        "Error": {
            "Code": "NoSuchEntity",
            "Message": "The user with name no-such-user-json cannot be found.",
            "Type": "Sender",
        },
        "RequestId": answer.headers["x-amzn-RequestId"],
    }


def test_an_authentication_failure_is_json_too(endpoint: str) -> None:
    body = urllib.parse.urlencode({"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    request = AWSRequest(
        method="POST", url=endpoint + "/", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    SigV4Auth(Credentials("AKIANOSUCHKEY0000000", "secret"), "sts", "us-east-1").add_auth(request)

    answer = requests.post(request.url, data=body, headers=dict(request.headers), timeout=30)

    assert answer.status_code == 403
    assert _document(answer)["Error"]["Code"] == "InvalidClientTokenId"


def test_other_accept_headers_keep_the_xml(endpoint: str) -> None:
    params = {"Action": "GetCallerIdentity", "Version": "2011-06-15"}

    for accept in ("*/*", "text/xml", "application/jsonl", "application/json;q=0, text/xml"):
        answer = _post(endpoint, "sts", params, accept)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/xml"
        assert answer.text.startswith("<GetCallerIdentityResponse")
