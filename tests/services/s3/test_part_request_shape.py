"""A part upload names both its upload and its part number; S3 refuses a request naming only one
(as AWS answered it: 400 InvalidArgument for a part number without an upload id, 405 for a PUT on an
upload without a part number) and a POST on an object naming no upload (405), instead of failing
inside the operation."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import make_client


@pytest.fixture(scope="module")
def loose(endpoint: str) -> Any:
    """An S3 client that sends the requests botocore's validation would stop."""
    return make_client(endpoint, "s3", parameter_validation=False)


def _error(call: Any, **kwargs: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response: dict[str, Any] = info.value.response
    return response


def test_a_part_number_without_an_upload_id_is_invalid_argument(loose: Any, bucket: str) -> None:
    for call, extra in ((loose.upload_part, {"Body": b"x"}), (loose.upload_part_copy, {"CopySource": f"{bucket}/k"})):
        answer = _error(call, Bucket=bucket, Key="k", UploadId=None, PartNumber=1, **extra)
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert answer["Error"]["Code"] == "InvalidArgument"
        assert answer["Error"]["Message"] == "This operation does not accept partNumber without uploadId"
        # the parameter's name as its value, as S3 answered in versity/versitygw#1226 and #1237
        assert (answer["Error"]["ArgumentName"], answer["Error"]["ArgumentValue"]) == ("partNumber", "partNumber")


def test_a_put_on_an_upload_without_a_part_number_is_method_not_allowed(s3: Any, loose: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    answer = _error(loose.upload_part, Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=None, Body=b"x")
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert answer["Error"]["Code"] == "MethodNotAllowed"
    assert (answer["Error"]["Method"], answer["Error"]["ResourceType"]) == ("PUT", "UPLOAD")
    assert answer["ResponseMetadata"]["HTTPHeaders"]["allow"] == "DELETE, POST, GET"
    assert s3.list_parts(Bucket=bucket, Key="k", UploadId=upload_id).get("Parts", []) == []


def test_a_post_on_an_object_naming_no_upload_is_method_not_allowed(loose: Any, bucket: str) -> None:
    answer = _error(loose.complete_multipart_upload, Bucket=bucket, Key="k", UploadId=None)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 405
    assert (answer["Error"]["Code"], answer["Error"]["Method"], answer["Error"]["ResourceType"]) == (
        "MethodNotAllowed", "POST", "OBJECT"
    )
