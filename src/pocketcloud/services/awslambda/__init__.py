"""AWS Lambda: functions, versions, aliases, permissions, concurrency, invocation."""
