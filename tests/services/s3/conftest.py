"""Fixtures of the S3 tests: `s3` (a client of the session server), `plain` (one that sends no
checksum unless required), and `bucket` and `versioned_bucket` (unique buckets emptied and deleted
after each test); see core_support."""

from tests.services.s3.core_support import bucket, plain, s3, versioned_bucket

__all__ = ["bucket", "plain", "s3", "versioned_bucket"]
