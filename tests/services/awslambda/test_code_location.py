"""Code.Location is a signed, expiring URL (AWS: presigned S3, 10 minutes), not the package hash alone."""

from __future__ import annotations

import base64
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.services.awslambda.support import Functions, zipped

SOURCE = "def handler(event, context):\n    return 1\n"


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_the_package_hash_alone_does_not_download_the_code(functions: Functions, lam: Any) -> None:
    # CodeSha256 is shown to anyone allowed ListFunctions; the code only to GetFunction callers.
    name = functions.create(code={"ZipFile": zipped({"app.py": SOURCE})})
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    code_hex = base64.b64decode(lam.get_function(FunctionName=name)["Configuration"]["CodeSha256"]).hex()
    bare = location.split("?", 1)[0]
    assert bare.endswith(code_hex)
    assert _status(bare) == 403
    assert _status(location) == 200


@pytest.mark.parametrize("tamper", ["Expires=1", "Signature=00"])
def test_a_tampered_location_is_refused(functions: Functions, lam: Any, tamper: str) -> None:
    name = functions.create(code={"ZipFile": zipped({"app.py": SOURCE})})
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    base, query = location.split("?", 1)
    params = dict(part.split("=", 1) for part in query.split("&"))
    key, value = tamper.split("=")
    params[key] = value
    assert _status(base + "?" + "&".join(f"{k}={v}" for k, v in params.items())) == 403
