"""Fixtures of the CloudWatch Logs tests: `logs` (a client of the session server) and
`group` (a unique log group, deleted after the test); see support."""

from tests.services.logs.support import group, logs, unchecked

__all__ = ["group", "logs", "unchecked"]
