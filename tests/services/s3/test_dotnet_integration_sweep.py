"""What the AWS SDK for .NET's S3 integration tests (aws-sdk-net sdk/test/Services/S3/IntegrationTests)
check of S3 and the rest of this suite did not: a POST upload in the form .NET's HttpClient writes,
a key holding a bidirectional-text control, GetObjectAttributes' LastModified, a ranged GET of an
empty object, and a copy to the key "/"."""

from __future__ import annotations

import uuid
from typing import Any

from tests.services.s3.access_support import http
from tests.services.s3.core_support import error_of


def test_a_post_upload_in_the_form_dotnet_httpclient_writes(s3: Any, bucket: str) -> None:
    # CreatePresignedPostTests: MultipartFormDataContent quotes the boundary but not the field names,
    # gives every field part "text/plain; charset=utf-8", and names the file twice (filename, filename*).
    post = s3.generate_presigned_post(bucket, "uploads/${filename}", Conditions=[["starts-with", "$key", "uploads/"]])
    boundary = str(uuid.uuid4())
    body = b"".join(
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: form-data; name={name}"
        f"\r\n\r\n{value}\r\n".encode()
        for name, value in post["fields"].items()
    )
    body += (f"--{boundary}\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name=file; "
             f"filename=report.txt; filename*=utf-8''report.txt\r\n\r\n").encode()
    body += b"This is the content body!" + f"\r\n--{boundary}--\r\n".encode()
    status, _, _ = http("POST", post["url"], body, {"Content-Type": f'multipart/form-data; boundary="{boundary}"'})
    assert status == 204
    assert s3.get_object(Bucket=bucket, Key="uploads/report.txt")["Body"].read() == b"This is the content body!"


def test_a_key_with_a_bidirectional_text_control_round_trips(s3: Any, bucket: str) -> None:
    # PutObjectTests.TestPutAndGetWithBidiCharacters: U+200E (LEFT-TO-RIGHT MARK), sent as %E2%80%8E.
    key = "TestPutAndGetWithBidi\u200eCharacters"
    s3.put_object(Bucket=bucket, Key=key, Body=b"bidi")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"bidi"
    assert [item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [key]


def test_object_attributes_tell_the_last_modified_head_object_tells(s3: Any, bucket: str) -> None:
    # GetObjectTests.TestObjectAttributesLastModified.
    s3.put_object(Bucket=bucket, Key="TestObject", Body=b"0123456789")
    attributes = s3.get_object_attributes(Bucket=bucket, Key="TestObject", ObjectAttributes=["ObjectSize"])
    assert attributes["LastModified"] == s3.head_object(Bucket=bucket, Key="TestObject")["LastModified"]


def test_a_ranged_get_of_an_empty_object_is_invalid_range(s3: Any, bucket: str) -> None:
    # TransferUtilityDownloadTests.TestZeroLengthDownloadToNonExistingPath: a range on a zero-length
    # object is "an invalid byte range error", so a download must not retry with one.
    s3.put_object(Bucket=bucket, Key="folder1/folder2/empty_file.txt", Body=b"")
    code, status, _ = error_of(s3.get_object, Bucket=bucket, Key="folder1/folder2/empty_file.txt",
                               Range="bytes=0-8388607")
    assert (code, status) == ("InvalidRange", 416)
    got = s3.get_object(Bucket=bucket, Key="folder1/folder2/empty_file.txt", PartNumber=1)
    assert (got["ResponseMetadata"]["HTTPStatusCode"], got["Body"].read()) == (200, b"")


def test_a_copy_to_the_key_slash(s3: Any, bucket: str) -> None:
    # CopyObjectTests.TestCopyObjectWithLeadingSlash's third row: source "/sourceTestKey.txt", key "/".
    s3.put_object(Bucket=bucket, Key="/sourceTestKey.txt", Body=b"This is the content body!")
    s3.copy_object(Bucket=bucket, Key="/", CopySource={"Bucket": bucket, "Key": "/sourceTestKey.txt"})
    assert s3.get_object(Bucket=bucket, Key="/")["Body"].read() == b"This is the content body!"
