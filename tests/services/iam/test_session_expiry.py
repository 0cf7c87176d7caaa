"""Temporary credentials stop working when they expire: ExpiredToken.

Sessions last at least 15 minutes, so instead of waiting the test moves the
clock. The server runs unmodified under libfaketime (LD_PRELOAD), its offset
read from a file; the test issues a session at the real time, then moves the
server's clock 20 minutes on and makes the next call from a client process
whose clock is moved by the same amount, so that the request is signed at the
server's "now" and only the session's expiry is in question.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess, make_client
from tests.services.iam.support import Caller, session_client, trust


def _libfaketime() -> Path:
    """The libfaketime the `libfaketime` test dependency builds and ships (PyPI), else the system's."""
    import libfaketime

    bundled = sorted(Path(libfaketime.__file__).parent.glob("vendor/libfaketime/src/libfaketime.so.1"))
    system = sorted(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    return (bundled or system)[0]


LIBFAKETIME = _libfaketime()

_CALLS = """
import json, sys
import boto3
from botocore.exceptions import ClientError
endpoint, sessions = json.loads(sys.argv[1])
answers = []
for key, secret, token in sessions:
    sts = boto3.client("sts", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id=key,
                       aws_secret_access_key=secret, aws_session_token=token)
    try:
        answers.append({"Arn": sts.get_caller_identity()["Arn"]})
    except ClientError as error:
        answers.append({**error.response["Error"], "Status": error.response["ResponseMetadata"]["HTTPStatusCode"]})
print(json.dumps(answers))
"""


def _faked(offset: str) -> dict[str, str]:
    return {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}


def _caller_identities_at(offset: str, endpoint: str, *sessions: dict[str, Any]) -> list[dict[str, Any]]:
    """GetCallerIdentity with each session, from one client process whose clock is `offset` ahead."""
    keys = [(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]) for c in sessions]
    done = subprocess.run(
        [sys.executable, "-c", _CALLS, json.dumps([endpoint, keys])], env={**os.environ, **_faked(offset)},
        capture_output=True, text=True, timeout=60, check=True,
    )
    answers: list[dict[str, Any]] = json.loads(done.stdout)
    return answers


@pytest.fixture(scope="module")
def clock_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    offset_file = tmp_path_factory.mktemp("clock") / "offset"
    offset_file.write_text("+0\n")
    env = {**_faked(""), "FAKETIME_TIMESTAMP_FILE": str(offset_file), "FAKETIME_NO_CACHE": "1"}
    del env["FAKETIME"]
    server = ServerProcess(env=env).start()
    yield server, offset_file
    server.stop()


def test_expired_session_credentials_are_rejected_with_expired_token(clock_server: Any) -> None:
    server, offset_file = clock_server
    iam = make_client(server.endpoint, "iam")
    caller = Caller(server.endpoint, iam)
    role = iam.create_role(RoleName=caller.name + "-role", AssumeRolePolicyDocument=trust(caller.arn))["Role"]["Arn"]
    sts = caller.client("sts")
    sessions = {
        "assumed-role": sts.assume_role(RoleArn=role, RoleSessionName="short", DurationSeconds=900)["Credentials"],
        "session-token": sts.get_session_token(DurationSeconds=900)["Credentials"],
    }
    long_lived = sts.get_session_token(DurationSeconds=3600)["Credentials"]
    for credentials in (*sessions.values(), long_lived):
        assert session_client(server.endpoint, "sts", credentials).get_caller_identity()["Arn"]

    offset_file.write_text("+20m\n")
    try:
        expired = {"Type": "Sender", "Code": "ExpiredToken", "Status": 403,
                   "Message": "The security token included in the request is expired"}
        # The session that has not expired yet still works at the same moment.
        assert _caller_identities_at("+20m", server.endpoint, *sessions.values(), long_lived) == [
            expired, expired, {"Arn": caller.arn},
        ]
    finally:
        offset_file.write_text("+0\n")
