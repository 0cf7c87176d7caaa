"""Settings of one pocketcloud server, from command-line flags and POCKETCLOUD_* variables.

Every setting has an environment variable so that a test suite or a CI job can
configure the server without flags. Flags win over the environment.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCOUNT_ID = "000000000000"
DEFAULT_ACCESS_KEY_ID = "test"
DEFAULT_SECRET_ACCESS_KEY = "test"
DEFAULT_REGION = "us-east-1"
# What a Region's name looks like (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`), for patterns that
# read one out of a host, an ARN or a parameter.
REGION_NAME = r"[a-z]{2}(?:-[a-z]+)+-\d+"
DEFAULT_PORT = 4566


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def default_data_dir() -> Path:
    """Where state lives unless told otherwise: $POCKETCLOUD_DATA_DIR or ~/.pocketcloud."""
    env = os.environ.get("POCKETCLOUD_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".pocketcloud"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=default_data_dir)
    ephemeral: bool = False
    # Root credentials of the default account.
    account_id: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION  # when a request does not name one
    access_key_id: str = DEFAULT_ACCESS_KEY_ID
    secret_access_key: str = DEFAULT_SECRET_ACCESS_KEY
    # Lax mode: signatures are not checked and any access key acts as the root user.
    auth_disabled: bool = False
    # Maximum clock skew accepted on signed requests (AWS: 15 minutes).
    max_clock_skew_seconds: int = 900
    log_level: str = "warning"
    # A request whose body stops arriving for this long is answered 400 RequestTimeout and its
    # connection closed (S3 closes idle uploads after about 20 s).
    body_idle_seconds: float = 20.0
    # Lambda: account-wide concurrency, idle time before an environment is stopped, and the
    # unit of async-invocation retry delays (AWS waits about 1 then 2 minutes: 60 s).
    lambda_account_concurrency: int = 1000
    lambda_idle_seconds: float = 300.0
    lambda_max_idle: int = 64  # idle execution environments kept at once (each a process)
    lambda_retry_seconds: float = 60.0
    # The Python runtime client: "auto" (awslambdaric when installed), "awslambdaric" or "builtin".
    lambda_python_client: str = "auto"
    # CloudWatch Logs: how often events past their group's retention are deleted.
    logs_retention_sweep_seconds: float = 60.0
    # ... and how long lines other services log (Lambda's) wait in memory to be written in one batch.
    logs_flush_seconds: float = 0.05
    # ... and how long an export task stays PENDING before it runs (AWS's queue; tests lengthen it).
    logs_export_delay_seconds: float = 0.0
    # ... and how long a Live Tail session lasts before it times out (AWS: three hours).
    logs_live_tail_seconds: float = 10800.0
    # S3 lifecycle: how many seconds one lifecycle "day" lasts (rules count days and round
    # to the next "midnight", a multiple of this since the epoch), and how often rules are applied.
    s3_lifecycle_day_seconds: float = 86400.0
    s3_lifecycle_interval: float = 60.0
    # S3 replication: how long a new version waits before it is copied (AWS takes seconds to minutes).
    s3_replication_delay: float = 0.0
    # Further accounts declared up front: (account id, root access key id, root secret).
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    @classmethod
    def from_env(cls) -> Settings:
        s = cls()
        s.host = os.environ.get("POCKETCLOUD_HOST", s.host)
        s.port = int(os.environ.get("POCKETCLOUD_PORT", s.port))
        s.ephemeral = _env_bool("POCKETCLOUD_EPHEMERAL", False)
        s.account_id = os.environ.get("POCKETCLOUD_ACCOUNT_ID", s.account_id)
        s.region = os.environ.get("POCKETCLOUD_REGION", s.region)
        s.access_key_id = os.environ.get("POCKETCLOUD_ACCESS_KEY_ID", s.access_key_id)
        s.secret_access_key = os.environ.get("POCKETCLOUD_SECRET_ACCESS_KEY", s.secret_access_key)
        s.auth_disabled = _env_bool("POCKETCLOUD_AUTH_DISABLED", False)
        s.log_level = os.environ.get("POCKETCLOUD_LOG_LEVEL", s.log_level)
        s.lambda_account_concurrency = int(os.environ.get("POCKETCLOUD_LAMBDA_CONCURRENCY", s.lambda_account_concurrency))
        s.body_idle_seconds = float(os.environ.get("POCKETCLOUD_BODY_IDLE_SECONDS", s.body_idle_seconds))
        s.lambda_idle_seconds = float(os.environ.get("POCKETCLOUD_LAMBDA_IDLE_SECONDS", s.lambda_idle_seconds))
        s.lambda_max_idle = int(os.environ.get("POCKETCLOUD_LAMBDA_MAX_IDLE", s.lambda_max_idle))
        s.lambda_retry_seconds = float(os.environ.get("POCKETCLOUD_LAMBDA_RETRY_SECONDS", s.lambda_retry_seconds))
        s.lambda_python_client = os.environ.get("POCKETCLOUD_LAMBDA_PYTHON_CLIENT", s.lambda_python_client)
        s.logs_retention_sweep_seconds = float(
            os.environ.get("POCKETCLOUD_LOGS_RETENTION_SWEEP_SECONDS", s.logs_retention_sweep_seconds))
        s.logs_flush_seconds = float(os.environ.get("POCKETCLOUD_LOGS_FLUSH_SECONDS", s.logs_flush_seconds))
        s.logs_export_delay_seconds = float(
            os.environ.get("POCKETCLOUD_LOGS_EXPORT_DELAY_SECONDS", s.logs_export_delay_seconds))
        s.logs_live_tail_seconds = float(
            os.environ.get("POCKETCLOUD_LOGS_LIVE_TAIL_SECONDS", s.logs_live_tail_seconds))
        s.s3_lifecycle_day_seconds = float(
            os.environ.get("POCKETCLOUD_LIFECYCLE_DAY_SECONDS", s.s3_lifecycle_day_seconds))
        s.s3_lifecycle_interval = float(os.environ.get("POCKETCLOUD_LIFECYCLE_INTERVAL", s.s3_lifecycle_interval))
        s.s3_replication_delay = float(
            os.environ.get("POCKETCLOUD_S3_REPLICATION_DELAY_SECONDS", s.s3_replication_delay)
        )
        s.accounts = parse_accounts(os.environ.get("POCKETCLOUD_ACCOUNTS", ""))
        return s

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def uses_default_credentials(self) -> bool:
        return (self.access_key_id, self.secret_access_key) == (
            DEFAULT_ACCESS_KEY_ID,
            DEFAULT_SECRET_ACCESS_KEY,
        )

    def check_bind_address(self) -> None:
        """Refuse a non-loopback bind while anyone who knows test/test would be root."""
        if is_loopback(self.host):
            return
        if self.uses_default_credentials() or self.auth_disabled:
            raise ValueError(
                f"refusing to listen on {self.host}: the root credentials are the well-known "
                "defaults (test/test) or authentication is off. Set POCKETCLOUD_ACCESS_KEY_ID and "
                "POCKETCLOUD_SECRET_ACCESS_KEY to secrets of your own to listen beyond loopback."
            )


def parse_accounts(text: str) -> list[tuple[str, str, str]]:
    """`111111111111:AKID:SECRET,222222222222:AKID2:SECRET2` → [(account, key id, secret), ...]"""
    accounts = []
    for entry in filter(None, (part.strip() for part in text.replace(";", ",").split(","))):
        fields = entry.split(":", 2)
        if len(fields) != 3 or not (fields[0].isdigit() and len(fields[0]) == 12) or not all(fields):
            raise ValueError(f"POCKETCLOUD_ACCOUNTS entry {entry!r} is not ACCOUNT_ID:ACCESS_KEY_ID:SECRET")
        accounts.append((fields[0], fields[1], fields[2]))
    return accounts


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
