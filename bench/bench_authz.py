"""Authorization overhead end to end: iam:GetUser as an IAM user with 10 attached managed
policies of 10 statements each, against the same call as the root user, in one run on one server.

Root is allowed without evaluating policies; the user's call runs the whole
engine (policy lookup, compiled-policy cache, evaluation of 100 statements
with conditions and variables). Each row replays a request signed once, on a
keep-alive connection, so the figures are the server's, not boto3's; server
CPU comes from /proc. Goal: the user's call costs at most 10% more server CPU
than root's.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Callable

import boto3
from botocore.config import Config

from bench.bench_sts import RawClient
from bench.harness import Measurement, ServerProcess, measure
from bench.results import machine_line, table, verdict

NAME = "authz"
TITLE = "Authorization overhead: iam:GetUser as a user with 10×10 policy statements vs root"
GOAL_RATIO = 1.10
ROUNDS = 3
REGION = "us-east-1"
BODY = b"Action=GetUser&Version=2010-05-08&UserName=bench-user"


def _policy(index: int) -> str:
    statements = [
        {"Sid": f"S{index}x{n}", "Effect": "Allow", "Action": [f"s3:Get{n}*", f"sqs:Send{n}*"],
         "Resource": f"arn:aws:s3:::bucket-{index}-{n}/${{aws:username}}/*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
        for n in range(9)
    ]
    statements.append({"Sid": f"S{index}x9", "Effect": "Allow", "Action": "iam:GetUser",
                       "Resource": "arn:aws:iam::*:user/${aws:username}",
                       "Condition": {"StringEquals": {"aws:RequestedRegion": REGION}}})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _setup(endpoint: str) -> tuple[str, str]:
    iam = boto3.client("iam", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
                       region_name=REGION, config=Config(retries={"total_max_attempts": 1}))
    iam.create_user(UserName="bench-user")
    for index in range(10):
        arn = iam.create_policy(PolicyName=f"bench-{index}", PolicyDocument=_policy(index))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="bench-user", PolicyArn=arn)
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def run(calls: int, warmup: int) -> str:
    machine = machine_line()
    server = ServerProcess(
        "pocketcloud", lambda port: [sys.executable, "-m", "pocketcloud", "start", "--port", str(port), "--ephemeral"],
        ready_path="/_pocketcloud/health", ready_status=200, env={"POCKETCLOUD_LOG_LEVEL": "warning"},
    )
    rows: dict[str, list[Measurement]] = {"root": [], "user (10×10 statements)": []}
    with server:
        key, secret = _setup(server.endpoint)
        callers: dict[str, Callable[[], object]] = {
            "root": RawClient(server.port, BODY, "iam"),
            "user (10×10 statements)": RawClient(server.port, BODY, "iam", key, secret),
        }
        # Alternate the two callers so that machine noise falls on both alike.
        for _ in range(ROUNDS):
            for label, call in callers.items():
                rows[label].append(measure(server, label, call, calls, warmup))
    def median(label: str, attr: str) -> float:
        return statistics.median(getattr(m, attr) for m in rows[label])
    root_cpu = median("root", "server_cpu_ms_per_op")
    user_cpu = median("user (10×10 statements)", "server_cpu_ms_per_op")
    body = [
        [label, f"{median(label, 'server_cpu_ms_per_op'):.3f}", f"{median(label, 'server_cpu_ms_per_op') / root_cpu:.2f}×",
         f"{median(label, 'p50_ms'):.3f}", f"{median(label, 'p99_ms'):.3f}"]
        for label in rows
    ]
    ratio = user_cpu / root_cpu
    met = verdict(ratio <= GOAL_RATIO)
    return "\n".join([
        f"## {NAME}: {TITLE}", "", machine, "",
        f"{calls:,} calls per row after {warmup:,} warm-up calls, a request signed once and replayed on a keep-alive "
        f"connection; median of {ROUNDS} alternating rounds.", "",
        table(["caller", "server CPU ms/op", "× root", "p50 ms", "p99 ms"], body), "",
        f"Goal: user's call at most {GOAL_RATIO:.2f}× root's server CPU: {ratio:.2f}× {met}.",
    ]) + "\n"
