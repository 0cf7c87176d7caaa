"""S3 Select (SelectObjectContent): `sql` parses the statement, `evaluate` runs it, `formats` reads
CSV and JSON objects and writes the output, `operation` is the S3 operation and its event stream."""
