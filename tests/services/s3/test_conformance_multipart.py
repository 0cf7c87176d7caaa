"""CompleteMultipartUpload's answer as S3 gives it: the new object's absolute URL in Location."""

from __future__ import annotations

from typing import Any


def test_complete_multipart_upload_reports_the_objects_absolute_url(
    endpoint: str, s3: Any, bucket: str
) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dir/big file")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="dir/big file", UploadId=upload, PartNumber=1, Body=b"x")["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dir/big file",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert done["Location"] == f"{endpoint}/{bucket}/dir%2Fbig%20file"
