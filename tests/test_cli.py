"""The `pocketcloud` command: status, reset, coverage, and the refusal to listen beyond loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, free_port


def _run(*args: str, port: int | None = None, env: dict[str, str] | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    if port is not None:
        full_env["POCKETCLOUD_PORT"] = str(port)
    return subprocess.run([sys.executable, "-m", "pocketcloud", *args], env=full_env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_status_reports_a_running_server(server: ServerProcess) -> None:
    out = _run("status", port=server.port)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "running"


def test_status_says_when_nothing_runs() -> None:
    out = _run("status", port=1)
    assert out.returncode == 1
    assert "not running" in out.stdout


def test_reset_asks_first_and_then_forgets_everything(tmp_path) -> None:  # noqa: ANN001
    proc = ServerProcess(data_dir=tmp_path / "data").start()
    try:
        iam = proc.client("iam")
        iam.create_user(UserName="kept-until-reset")
        declined = _run("reset", port=proc.port, stdin="n\n")
        assert declined.returncode == 1
        assert iam.get_user(UserName="kept-until-reset")["User"]["UserName"] == "kept-until-reset"
        done = _run("reset", "--yes", port=proc.port)
        assert done.returncode == 0, done.stderr
        with pytest.raises(ClientError) as exc:
            iam.get_user(UserName="kept-until-reset")
        assert exc.value.response["Error"]["Code"] == "NoSuchEntity"
    finally:
        proc.stop()


def test_reset_keeps_a_data_directory_a_server_is_running_on(tmp_path) -> None:  # noqa: ANN001
    # No server answers at the port reset is given, but one runs on the data directory (its
    # database's lock says so): deleting it would pull the state from under that server.
    data = tmp_path / "data"
    proc = ServerProcess(data_dir=data).start()
    try:
        iam = proc.client("iam")
        iam.create_user(UserName="kept-by-a-running-server")
        out = _run("reset", "--yes", "--data-dir", str(data), port=free_port())
        assert out.returncode == 2, out.stdout + out.stderr
        assert "in use" in out.stderr
        assert (data / "state.db").exists()
        assert iam.get_user(UserName="kept-by-a-running-server")["User"]["UserName"] == "kept-by-a-running-server"
    finally:
        proc.stop()
    assert _run("reset", "--yes", "--data-dir", str(data), port=free_port()).returncode == 0
    assert not data.exists()


def test_coverage_json_counts_operations_from_the_models() -> None:
    out = _run("coverage", "--json")
    assert out.returncode == 0, out.stderr
    services = json.loads(out.stdout)["services"]
    assert "GetCallerIdentity" in services["sts"]["implemented"]
    assert services["iam"]["operations"] > 100
    assert set(services["s3"]["implemented"]) <= set(services["s3"]["implemented"]) | set(services["s3"]["missing"])


def test_start_refuses_a_public_address_with_default_credentials() -> None:
    out = _run("start", "--host", "0.0.0.0", "--port", "45998", "--ephemeral")
    assert out.returncode == 2
    assert "refusing to listen on 0.0.0.0" in out.stderr


def test_python_dash_m_and_the_command_are_the_same_program() -> None:
    out = _run("--help")
    assert out.returncode == 0
    assert "start" in out.stdout and "coverage" in out.stdout
