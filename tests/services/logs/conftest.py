"""Fixtures of the CloudWatch Logs tests: `logs` (a client of the session server) and
`group` (a unique log group, deleted after the test), `functions` (Lambda functions for
subscriptions and transformers); see support."""

from tests.services.logs.support import functions, group, logs, unchecked

__all__ = ["functions", "group", "logs", "unchecked"]
