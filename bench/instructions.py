"""Instructions per call: the server's user-space work, counted by valgrind, for A/B of a change.

    python -m bench.instructions [--base REV] [--ops sts,sqs,put,get] [--calls N] [--keep]

Server CPU time on a shared or virtual machine varies from run to run by more than most changes
to the request path save (±10% between two runs of one commit was common here). valgrind's
callgrind counts the instructions the server executes instead: the same commit, calls and inputs
give the same count within about 2%, whatever else the machine is doing. It runs the server some
50 times slower, so the client's timing differs from a real run: a request body that would arrive
in a read of its own is usually whole by the time the server reads, and kernel time (socket
writes, SQLite's page writes) is not counted. Use it to compare two versions of the code, and
`python -m bench` for the figures themselves.

Each row runs the working tree's server (and, with --base, REV's `src/` from `git archive`) under
callgrind with instrumentation off, makes `--calls` warm-up calls, then counts `--calls` more,
through boto3: STS GetCallerIdentity, an SQS send+receive+delete of one message, an S3 PUT and
GET of 1 KiB. Prints a table. With --keep it also keeps each op's callgrind dump and prints its
path, for `callgrind_annotate` to say where the instructions go.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from bench.harness import REPO_ROOT, ServerProcess

OPS = ("sts", "sqs", "put", "get")
BODY = b"x" * 1024


def _calls(endpoint: str) -> dict[str, Callable[[int], object]]:
    config = Config(retries={"total_max_attempts": 1}, read_timeout=300)
    kwargs: dict[str, Any] = {
        "endpoint_url": endpoint, "region_name": "us-east-1", "config": config,
        "aws_access_key_id": "test", "aws_secret_access_key": "test",
    }
    sts, sqs, s3 = (boto3.client(name, **kwargs) for name in ("sts", "sqs", "s3"))
    queue = sqs.create_queue(QueueName="instructions")["QueueUrl"]
    s3.create_bucket(Bucket="instructions")

    def cycle(_: int) -> None:
        sqs.send_message(QueueUrl=queue, MessageBody="hello")
        handle = sqs.receive_message(QueueUrl=queue)["Messages"][0]["ReceiptHandle"]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)

    return {
        "sts": lambda _: sts.get_caller_identity(),
        "sqs": cycle,
        "put": lambda i: s3.put_object(Bucket="instructions", Key=f"k{i}", Body=BODY),
        "get": lambda i: s3.get_object(Bucket="instructions", Key=f"k{i}")["Body"].read(),
    }


def count(src: Path, ops: list[str], calls: int, keep: bool = False) -> dict[str, float]:
    """Thousands of instructions per call of each op, for the server run from `src`."""
    out = Path(tempfile.mkdtemp(prefix="pocketcloud-callgrind-"))
    server = ServerProcess(
        "pocketcloud under callgrind",
        lambda port: [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}/cg.%p",
            sys.executable, "-m", "pocketcloud", "start", "--ephemeral", "--port", str(port),
        ],
        ready_path="/_pocketcloud/health",
        env={"PYTHONPATH": str(src), "PYTHONHASHSEED": "0", "POCKETCLOUD_LOG_LEVEL": "warning"},
        ready_timeout_s=300.0,
    )
    results: dict[str, float] = {}
    with server:
        made = _calls(server.endpoint)
        for i in range(calls):
            made["put"](i)  # what the GETs read

        def control(*args: str) -> None:
            subprocess.run(["callgrind_control", *args, str(server.pid)], check=True, capture_output=True)

        for op in ops:
            for i in range(calls):
                made[op](i)
            control("--zero")
            control("--instr=on")
            for i in range(calls):
                made[op](i)
            control("--instr=off")
            control("--dump")
            time.sleep(0.5)  # let the dump file be closed before it is read
            newest = max(glob.glob(f"{out}/cg.{server.pid}*"), key=os.path.getmtime)
            totals = re.search(r"^totals:\s*(\d+)", Path(newest).read_text(), re.M)
            if totals is None:
                raise RuntimeError(f"no totals in {newest}")
            results[op] = int(totals.group(1)) / calls / 1000
            if keep:
                print(f"{op}: {newest}", file=sys.stderr)
    if not keep:
        shutil.rmtree(out, ignore_errors=True)
    return results


def _tree_of(rev: str) -> Path:
    """`src/` of git revision `rev`, in a temporary directory."""
    where = Path(tempfile.mkdtemp(prefix="pocketcloud-base-"))
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=REPO_ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where / "src"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.split("\n")[0])
    parser.add_argument("--base", metavar="REV", help="also count git revision REV, and compare")
    parser.add_argument("--ops", default=",".join(OPS), help=f"comma-separated, of {', '.join(OPS)}")
    parser.add_argument("--calls", type=int, default=300, help="counted calls per op (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the callgrind dumps and print their paths")
    args = parser.parse_args()
    ops = [op for op in args.ops.split(",") if op]
    if not ops or any(op not in OPS for op in ops) or args.calls < 1:
        parser.error(f"--ops takes names of {', '.join(OPS)}; --calls at least 1")
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        parser.error("valgrind is not installed (Debian: apt-get install valgrind)")
    head = count(REPO_ROOT / "src", ops, args.calls, args.keep)
    base = None
    if args.base:
        tree = _tree_of(args.base)
        try:
            base = count(tree, ops, args.calls, args.keep)
        finally:
            shutil.rmtree(tree.parent, ignore_errors=True)
    print("| op | working tree k instr/call |" + (f" {args.base} k instr/call | change |" if base else ""))
    print("|:---|---:|" + ("---:|---:|" if base else ""))
    for op in ops:
        row = f"| {op} | {head[op]:,.1f} |"
        if base:
            row += f" {base[op]:,.1f} | {head[op] / base[op] - 1:+.1%} |"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
