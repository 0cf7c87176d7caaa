"""Fixtures of the S3 Control tests: S3's `s3` client and `bucket` (see tests/services/s3/core_support)."""

from tests.services.s3.core_support import bucket, s3

__all__ = ["bucket", "s3"]
