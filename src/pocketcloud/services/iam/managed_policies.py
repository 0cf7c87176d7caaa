"""AWS managed policies (arn:aws:iam::aws:policy/...), with their real documents.

The data file `data/aws_managed_policies.json.gz` names its source in its
`source` field. `python -m pocketcloud.services.iam.managed_policies --refresh`
rebuilds it from a newer moto release when one is installed.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("data") / "aws_managed_policies.json.gz"
AWS_POLICY_ARN_PREFIX = "arn:aws:iam::aws:policy"


@cache
def _policies() -> dict[str, dict[str, Any]]:
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as f:
        data = json.load(f)
    by_arn: dict[str, dict[str, Any]] = {}
    for name, policy in data["policies"].items():
        path = policy.get("Path", "/")
        arn = f"{AWS_POLICY_ARN_PREFIX}{path}{name}"
        by_arn[arn] = {**policy, "PolicyName": name, "Arn": arn, "Path": path}
    return by_arn


def get_aws_managed_policy(arn: str) -> dict[str, Any] | None:
    if not arn.startswith(AWS_POLICY_ARN_PREFIX):
        return None
    return _policies().get(arn)


def all_aws_managed_policies() -> list[dict[str, Any]]:
    return sorted(_policies().values(), key=lambda p: p["PolicyName"])


def _refresh() -> None:
    import moto
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data = {
        "source": (
            "AWS managed policy documents as published by AWS in each policy's default version, "
            f"extracted from the data file moto {moto.__version__} ships (moto/iam/aws_managed_policies.py), "
            "which moto generates from the IAM API (ListPolicies/GetPolicyVersion). Regenerate with: "
            "python -m pocketcloud.services.iam.managed_policies --refresh"
        ),
        "policies": json.loads(aws_managed_policies_data),
    }
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    with gzip.open(DATA_FILE, "wb", compresslevel=9) as f:
        f.write(raw)
    print(f"wrote {len(data['policies'])} policies to {DATA_FILE}")


if __name__ == "__main__" and "--refresh" in sys.argv:
    _refresh()
