"""The AWS SDK teams' own CloudWatch Logs integration scenarios (cucumber "features" run against real
AWS), ported to boto3 where they state something about Logs that the other tests here do not.

Sources: aws/aws-sdk-js and aws/aws-sdk-js-v3 `features/cloudwatchlogs/cloudwatchlogs.feature`,
aws/aws-sdk-ruby `gems/aws-sdk-cloudwatchlogs/features/`, aws/aws-sdk-php
`features/smoke/cloudwatchlogs/cloudwatchlogs.feature`. Each test names its scenario.
"""

from __future__ import annotations

from typing import Any

from tests.services.logs.support import error_of


def test_create_log_group_with_an_empty_name_is_an_invalid_parameter(unchecked: Any) -> None:
    # aws-sdk-js features/cloudwatchlogs/cloudwatchlogs.feature "Error handling": the prefix "" makes
    # an empty logGroupName, which the JavaScript SDK sends unchecked.
    code, message = error_of(unchecked.create_log_group, logGroupName="")
    assert code == "InvalidParameterException"
    assert "Value '' at 'logGroupName' failed to satisfy constraint" in message
