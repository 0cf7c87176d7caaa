"""Fixtures of the S3 tests: `s3` (a client of the session server), `plain` (one that sends no
checksum unless required), `bucket` and `versioned_bucket` (unique buckets emptied and deleted
after each test), and `two_accounts` (a server that knows a second account); see core_support."""

from tests.services.s3.core_support import bucket, plain, s3, two_accounts, versioned_bucket

__all__ = ["bucket", "plain", "s3", "two_accounts", "versioned_bucket"]
