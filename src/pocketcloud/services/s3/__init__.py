"""Amazon S3: buckets, objects, listing, multipart uploads, versioning, bucket configuration."""
