"""CloudWatch Logs behaviours found to differ from real AWS when LocalStack's AWS-validated Logs
tests were replayed against pocketcloud (their snapshots record what AWS answered)."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.logs.support import error_of, unique

OTHER_ACCOUNT_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:test"


def test_cross_account_lambda_subscription_is_refused_before_the_group_is_looked_up(logs: Any) -> None:
    assert error_of(
        logs.put_subscription_filter,
        logGroupName=unique("nogroup"),
        filterName="test",
        filterPattern="",
        destinationArn=OTHER_ACCOUNT_FUNCTION,
    ) == (
        "AccessDeniedException",
        "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create "
        "cross account lambda triggers.",
    )


def test_start_query_on_a_missing_group_words_the_error_as_aws_passes_it_on(logs: Any) -> None:
    missing = unique("nogroup")
    code, message = error_of(
        logs.start_query, logGroupName=missing, startTime=0, endTime=60, queryString="fields @message"
    )
    assert code == "ResourceNotFoundException"
    assert re.fullmatch(
        f"Log group '{missing}' does not exist for account ID '{ROOT_ACCOUNT}' "
        r"\(Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; "
        r"Request ID: [0-9a-f-]{36}; Proxy: null\)",
        message,
    )


def test_destination_policy_naming_a_regional_service_as_aws_principal_keeps_its_global_name(
    logs: Any,
) -> None:
    name = unique("dest")
    target = f"arn:aws:kinesis:us-east-1:{ROOT_ACCOUNT}:stream/{name}"
    logs.put_destination(
        destinationName=name, targetArn=target, roleArn=f"arn:aws:iam::{ROOT_ACCOUNT}:role/logs-to-kinesis"
    )
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": "logs.us-east-1.amazonaws.com"},
        "Action": "logs:PutSubscriptionFilter",
        "Resource": target,
    }
    logs.put_destination_policy(
        destinationName=name, accessPolicy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )
    [found] = logs.describe_destinations(DestinationNamePrefix=name)["destinations"]
    assert json.loads(found["accessPolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [{**statement, "Principal": {"AWS": "logs.amazonaws.com"}}],
    }
    logs.delete_destination(destinationName=name)
