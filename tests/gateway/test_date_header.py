"""Every answer's Date is the moment it was sent, to the second: a client may hand it back as
If-Modified-Since (the time it last saw the object), so it must never read earlier than the
Last-Modified of the object that same request wrote."""

from __future__ import annotations

from email.utils import parsedate_to_datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.services.s3.core_support import bucket, s3

__all__ = ["bucket", "s3"]


def test_the_date_of_a_put_is_never_before_the_objects_last_modified(s3: Any, bucket: str) -> None:
    for i in range(25):
        put = s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
        sent = parsedate_to_datetime(put["ResponseMetadata"]["HTTPHeaders"]["date"])
        assert s3.head_object(Bucket=bucket, Key=f"k{i}")["LastModified"] <= sent
        # A client that read the object at that Date is told it has not changed since.
        with pytest.raises(ClientError) as caught:
            s3.get_object(Bucket=bucket, Key=f"k{i}", IfModifiedSince=sent)
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
