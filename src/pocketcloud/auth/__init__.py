"""Authentication: SigV4 (header, presigned query, streaming payloads) and access key → principal."""
