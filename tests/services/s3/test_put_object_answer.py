"""What PutObject's answer carries, as AWS sends it for a general purpose bucket (recorded
against AWS): no x-amz-object-size, which S3 sends only for appends to S3 Express objects."""

from __future__ import annotations

from typing import Any


def test_put_object_answer_has_no_object_size(s3: Any, bucket: str) -> None:
    answer = s3.put_object(Bucket=bucket, Key="k", Body=b"data")
    assert "x-amz-object-size" not in answer["ResponseMetadata"]["HTTPHeaders"]
    assert "Size" not in answer
    assert answer["ETag"] == '"8d777f385d3dfec8815d20f7496026dc"'
