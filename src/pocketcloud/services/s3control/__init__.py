"""S3 Control: account-level S3 settings (Block Public Access for the whole account)."""
