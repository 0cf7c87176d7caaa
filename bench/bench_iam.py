"""IAM policy evaluation: pocketcloud's engine against moto's evaluator, in one run, in process.

The principal is an IAM user with 10 attached policies of 10 statements each
(what a least-privilege setup built from managed policies looks like), and the
request carries the global condition keys the authorizer adds to every call.
Rows:

- `allow`: the matching statement is the last one, with `${aws:username}` in
  its Resource and a Bool condition on aws:SecureTransport;
- `implicit deny`: no statement names the action;
- `explicit deny`: a Deny statement in the fifth policy applies;
- `boundary + bucket policy`: the same allow, also checked against a
  permissions boundary and a same-account resource policy.

Figures are CPU time of this process per evaluation (`time.process_time`):
the median and the best of several batches. The baseline is moto's
`IAMPolicy.is_action_permitted` over the same documents, pre-parsed, which
supports less of the language (no policy variables, boundaries or resource
policies), so it only has the first three rows.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from bench.results import machine_line, table, verdict
from pocketcloud.iam.evaluate import AuthorizationRequest, evaluate
from pocketcloud.iam.policy import parse_policy

NAME = "iam"
TITLE = "IAM policy evaluation (10 policies × 10 statements)"
GOAL_US = 50.0
BATCHES = 7
ACCOUNT = "000000000000"
USER_ARN = f"arn:aws:iam::{ACCOUNT}:user/bob"
OBJECT = "arn:aws:s3:::data/home/bob/report.csv"

CONTEXT = {
    "aws:CurrentTime": "2025-06-01T12:00:00Z",
    "aws:EpochTime": "1748779200",
    "aws:SourceIp": "127.0.0.1",
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": "us-east-1",
    "aws:MultiFactorAuthPresent": "false",
    "aws:UserAgent": "Boto3/1.40 md/Botocore#1.40 ua/2.1 os/linux lang/python#3.11",
}


def documents() -> list[str]:
    """Ten policies of ten statements; only the last statement of the last policy allows the request."""
    texts = []
    for p in range(10):
        statements: list[dict[str, object]] = [
            {
                "Sid": f"P{p}S{s}",
                "Effect": "Allow",
                "Action": [f"sqs:{verb}{p}{s}*" for verb in ("Send", "Receive")] + [f"dynamodb:Get{p}{s}"],
                "Resource": f"arn:aws:sqs:us-east-1:{ACCOUNT}:queue-{p}-{s}-*",
            }
            for s in range(10)
        ]
        if p == 4:
            statements[3] = {
                "Sid": "NoDelete",
                "Effect": "Deny",
                "Action": "s3:DeleteObject",
                "Resource": "*",
            }
        if p == 9:
            statements[9] = {
                "Sid": "Home",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": "arn:aws:s3:::data/home/${aws:username}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        texts.append(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return texts


BOUNDARY = (
    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}]}'
)
BUCKET_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/etl"}, "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::data/*"},
]})  # fmt: skip

ROWS = [  # (row, action, with boundary and bucket policy, expected decision)
    ("allow", "s3:GetObject", False, "allowed"),
    ("implicit deny", "s3:ListBucket", False, "implicitDeny"),
    ("explicit deny", "s3:DeleteObject", False, "explicitDeny"),
    ("boundary + bucket policy", "s3:GetObject", True, "allowed"),
]


def cpu_us_per_call(call: Callable[[], object], calls: int, warmup: int) -> tuple[float, float]:
    """(median, best) CPU microseconds per call over BATCHES batches of `calls` calls."""
    for _ in range(warmup):
        call()
    batches = []
    for _ in range(BATCHES):
        started = time.process_time()
        for _ in range(calls):
            call()
        batches.append((time.process_time() - started) / calls * 1e6)
    return statistics.median(batches), min(batches)


def pocketcloud_call(action: str, extra_policies: bool) -> Callable[[], object]:
    identity = [parse_policy(text, policy_id=f"policy-{i}") for i, text in enumerate(documents())]
    request = AuthorizationRequest(
        action=action,
        resources=OBJECT,
        principal_arn=USER_ARN,
        principal_type="User",
        principal_account=ACCOUNT,
        user_id="AIDAEXAMPLEBOB000001",
        username="bob",
        context=CONTEXT,
        identity_policies=identity,
        permissions_boundary=parse_policy(BOUNDARY, "boundary") if extra_policies else None,
        resource_policy=parse_policy(BUCKET_POLICY, "resource") if extra_policies else None,
        resource_account=ACCOUNT if extra_policies else None,
    )
    return lambda: evaluate(request)


def moto_call(action: str) -> Callable[[], object] | None:
    try:
        from moto.iam.access_control import IAMPolicy, PermissionResult
    except ImportError:
        return None
    # moto does not substitute variables: give it the resolved resource so that it can allow.
    policies = [IAMPolicy(text.replace("${aws:username}", "bob")) for text in documents()]

    def call() -> bool:
        permitted = False
        for policy in policies:
            result = policy.is_action_permitted(action, OBJECT)
            if result == PermissionResult.DENIED:
                return False
            permitted = permitted or result == PermissionResult.PERMITTED
        return permitted

    return call


def run(calls: int, warmup: int) -> str:
    machine = machine_line()
    rows = []
    worst = 0.0
    for row, action, extra, expected in ROWS:
        call = pocketcloud_call(action, extra)
        decision = call()
        assert getattr(decision, "decision", None) == expected, f"{row}: {decision}"
        median, best = cpu_us_per_call(call, calls, warmup)
        worst = max(worst, median)
        baseline = None if extra else moto_call(action)
        moto_figures = cpu_us_per_call(baseline, calls, warmup) if baseline else None
        rows.append([
            row, expected, f"{median:.1f}", f"{best:.1f}",
            f"{moto_figures[0]:.1f}" if moto_figures else "—",
            f"{moto_figures[0] / median:.1f}×" if moto_figures else "—",
        ])  # fmt: skip
        print(f"  {row}: {median:.1f} µs/op (best {best:.1f})", flush=True)
    met = verdict(worst < GOAL_US)
    return "\n".join([
        f"## {NAME}: {TITLE}", "", machine, "",
        f"CPU µs per evaluation, median and best of {BATCHES} batches of {calls:,} evaluations after {warmup:,} "
        "warm-up calls, in one process. The request carries 7 global condition keys; the allow is the last "
        "statement of the last policy. moto's `IAMPolicy` evaluates the same (pre-parsed) documents.", "",
        table(["row", "decision", "pocketcloud µs/op", "best µs/op", "moto µs/op", "moto ÷ pocketcloud"], rows), "",
        f"Goal: every row under {GOAL_US:.0f} µs of CPU per evaluation: {met} (slowest median {worst:.1f} µs).",
    ])  # fmt: skip
