"""The `pocketcloud` command: start the server, ask it how it is, reset it, and call the AWS CLI at it.

    pocketcloud start [--host H] [--port P] [--data-dir PATH | --ephemeral]
    pocketcloud status
    pocketcloud reset [--yes]
    pocketcloud coverage [--json | --markdown]
    pocketcloud accounts create NAME [--email E] | accounts list
    pocketcloud logs tail GROUP [--follow] [--since 10m] [--filter-pattern P]
    pocketcloud aws ARGS...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pocketcloud.config import Settings


def _settings(args: argparse.Namespace) -> Settings:
    s = Settings.from_env()
    if getattr(args, "host", None):
        s.host = args.host
    if getattr(args, "port", None):
        s.port = args.port
    if getattr(args, "data_dir", None):
        s.data_dir = Path(args.data_dir).expanduser()
    if getattr(args, "ephemeral", False):
        s.ephemeral = True
    return s


def _endpoint(args: argparse.Namespace) -> str:
    return os.environ.get("POCKETCLOUD_ENDPOINT") or _settings(args).endpoint


def _call(url: str, method: str = "GET") -> dict[str, object]:
    import urllib.request

    request = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(request, timeout=5) as response:
        data: dict[str, object] = json.loads(response.read())
        return data


def cmd_start(args: argparse.Namespace) -> int:
    from pocketcloud.server import serve
    from pocketcloud.store.sqlite import StoreInUse

    try:
        return serve(_settings(args))
    except (ValueError, StoreInUse) as exc:
        print(f"pocketcloud: {exc}", file=sys.stderr)
        return 2


def cmd_status(args: argparse.Namespace) -> int:
    url = _endpoint(args) + "/_pocketcloud/health"
    try:
        health = _call(url)
    except OSError as exc:  # urllib's URLError is an OSError
        print(f"pocketcloud is not running at {_endpoint(args)} ({exc})")
        return 1
    print(json.dumps(health, indent=2))
    return 0


def cmd_reset(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if not args.yes:
        answer = input(f"Delete all pocketcloud state ({settings.endpoint}, {settings.data_dir})? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing was deleted")
            return 1
    try:
        _call(settings.endpoint + "/_pocketcloud/reset", method="POST")
        print(f"reset the running server at {settings.endpoint}")
        return 0
    except OSError:
        pass
    from pocketcloud.store.sqlite import in_use

    # No server answered at that endpoint, yet one may run on the directory (on another port, or
    # too busy to answer in time): its database's lock tells, and its state is not pulled from under it.
    if in_use(settings.data_dir):
        print(f"pocketcloud: {settings.data_dir} is in use by a running server; nothing was deleted", file=sys.stderr)
        return 2
    if settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    print(f"deleted {settings.data_dir}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from pocketcloud.coverage import coverage_json, coverage_markdown, coverage_text

    if args.json:
        print(json.dumps(coverage_json(), indent=2))
    elif args.markdown:
        print(coverage_markdown(), end="")
    else:
        print(coverage_text(), end="")
    return 0


def _organizations_client(args: argparse.Namespace):  # noqa: ANN202 - a botocore client
    return _client(args, "organizations")


def _client(args: argparse.Namespace, service: str):  # noqa: ANN202 - a botocore client
    import botocore.session

    settings = _settings(args)
    return botocore.session.get_session().create_client(
        service,
        endpoint_url=_endpoint(args),
        region_name=settings.region,
        aws_access_key_id=settings.access_key_id,
        aws_secret_access_key=settings.secret_access_key,
    )


def cmd_accounts(args: argparse.Namespace) -> int:
    """`accounts create NAME` prints the new account's root credentials; `accounts list` lists them."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = _organizations_client(args)
    try:
        if args.action == "list":
            accounts = client.list_accounts()["Accounts"]
            for account in accounts:
                print(f"{account['Id']}  {account['Name']:<24} {account['Email']}")
            return 0
        try:
            client.describe_organization()
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "AWSOrganizationsNotInUseException":
                raise
            client.create_organization(FeatureSet="ALL")
        email = args.email or f"{args.name}@pocketcloud.local"
        status = client.create_account(AccountName=args.name, Email=email)["CreateAccountStatus"]
        if status["State"] == "FAILED":  # as on AWS, e.g. EMAIL_ALREADY_EXISTS for a name used before
            print(f"pocketcloud: the account was not created: {status.get('FailureReason')}", file=sys.stderr)
            return 1
        account_id = status["AccountId"]
        credentials = _call(_endpoint(args) + f"/_pocketcloud/accounts/{account_id}")
        print(f"account     {account_id} ({args.name}, {email})")
        print(f"AWS_ACCESS_KEY_ID={credentials['AccessKeyId']}")
        print(f"AWS_SECRET_ACCESS_KEY={credentials['SecretAccessKey']}")
        return 0
    except (ClientError, BotoCoreError, OSError) as exc:
        print(f"pocketcloud: {exc}", file=sys.stderr)
        return 1


_DURATION = re.compile(r"^(\d+)([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _since_ms(text: str) -> int:
    """`10m`, `2h`, `1d` (as `aws logs tail --since` takes them) → epoch milliseconds that long ago."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r} is not a duration like 30s, 10m, 2h or 1d")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    return int((time.time() - seconds) * 1000)


def _log_line(event: dict[str, Any]) -> str:
    moment = datetime.fromtimestamp(event["timestamp"] / 1000, UTC)
    return f"{moment.isoformat(timespec='microseconds')} {event['logStreamName']} {str(event['message']).rstrip(chr(10))}"


def cmd_logs(args: argparse.Namespace) -> int:
    """`logs tail GROUP`: the group's recent events, interleaved across streams as `aws logs tail` prints them;
    with --follow, keep printing new ones until interrupted."""
    from botocore.exceptions import BotoCoreError, ClientError

    client = _client(args, "logs")
    try:
        start = _since_ms(args.since)
    except ValueError as exc:
        print(f"pocketcloud: {exc}", file=sys.stderr)
        return 2
    printed: Counter[tuple[Any, ...]] = Counter()
    try:
        while True:
            request: dict[str, Any] = {"logGroupName": args.group, "startTime": start}
            if args.filter_pattern:
                request["filterPattern"] = args.filter_pattern
            events: list[dict[str, Any]] = []
            while True:
                page = client.filter_log_events(**request)
                events += page["events"]
                if not page.get("nextToken"):
                    break
                request["nextToken"] = page["nextToken"]
            events.sort(key=lambda e: e["timestamp"])
            # Events are told apart by what they are, not by eventId; a repeated line is printed as often as it occurs.
            current: Counter[tuple[Any, ...]] = Counter()
            for event in events:
                key = (event["timestamp"], event["logStreamName"], event["message"], event.get("ingestionTime"))
                current[key] += 1
                if current[key] > printed[key]:
                    print(_log_line(event), flush=True)
            if not args.follow:
                return 0
            if events:
                start = events[-1]["timestamp"]
                printed = Counter({k: n for k, n in current.items() if k[0] >= start})
            time.sleep(args.interval)
    except KeyboardInterrupt:
        return 0
    except (ClientError, BotoCoreError) as exc:
        print(f"pocketcloud: {exc}", file=sys.stderr)
        return 1


def cmd_aws(args: argparse.Namespace, rest: list[str]) -> int:
    settings = _settings(args)
    env = dict(os.environ)
    env.setdefault("AWS_ACCESS_KEY_ID", settings.access_key_id)
    env.setdefault("AWS_SECRET_ACCESS_KEY", settings.secret_access_key)
    env.setdefault("AWS_DEFAULT_REGION", settings.region)
    env["AWS_ENDPOINT_URL"] = _endpoint(args)
    aws = shutil.which("aws") or str(Path(sys.executable).with_name("aws"))
    # --endpoint-url as well: the AWS CLI v1 ignores AWS_ENDPOINT_URL for some services.
    command = [aws, "--endpoint-url", _endpoint(args), *rest]
    os.execvpe(command[0], command, env)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pocketcloud", description="AWS on one machine.")
    sub = p.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="run the server in the foreground")
    start.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    start.add_argument("--port", type=int, help="port to listen on (default 4566)")
    where = start.add_mutually_exclusive_group()
    where.add_argument("--data-dir", help="where state is kept (default ~/.pocketcloud)")
    where.add_argument("--ephemeral", action="store_true", help="keep state in a temporary directory")
    for name, help_text in (("status", "is the server running, and how"), ("aws", "run the AWS CLI against the server")):
        sp = sub.add_parser(name, help=help_text)
        sp.add_argument("--port", type=int, help="port of the server (default 4566)")
    reset = sub.add_parser("reset", help="delete all state")
    reset.add_argument("--yes", action="store_true", help="do not ask")
    reset.add_argument("--port", type=int)
    reset.add_argument("--data-dir")
    accounts = sub.add_parser("accounts", help="create and list AWS accounts (Organizations)")
    accounts.add_argument("--port", type=int)
    account_actions = accounts.add_subparsers(dest="action", required=True)
    create = account_actions.add_parser("create", help="create an account and print its root credentials")
    create.add_argument("name")
    create.add_argument("--email")
    account_actions.add_parser("list", help="list the accounts")
    logs = sub.add_parser("logs", help="read CloudWatch Logs (e.g. a Lambda function's /aws/lambda/NAME)")
    logs.add_argument("--port", type=int)
    log_actions = logs.add_subparsers(dest="action", required=True)
    tail = log_actions.add_parser("tail", help="print a log group's recent events, and new ones with --follow")
    tail.add_argument("group", help="log group name, e.g. /aws/lambda/my-function")
    tail.add_argument("--follow", "-f", action="store_true", help="keep printing new events until interrupted")
    tail.add_argument("--since", default="10m", help="how far back to start: 30s, 10m (default), 2h, 1d")
    tail.add_argument("--filter-pattern", help="a CloudWatch Logs filter pattern")
    tail.add_argument("--interval", type=float, default=1.0, help=argparse.SUPPRESS)
    cov = sub.add_parser("coverage", help="operations implemented, per service")
    fmt = cov.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--markdown", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["aws"]:
        # Everything after `aws` belongs to the AWS CLI, flags included.
        args = argparse.Namespace(port=None, host=None)
        return cmd_aws(args, argv[1:])
    args = parser().parse_args(argv)
    commands = {
        "start": cmd_start, "status": cmd_status, "reset": cmd_reset,
        "coverage": cmd_coverage, "accounts": cmd_accounts, "logs": cmd_logs,
    }
    return commands[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
