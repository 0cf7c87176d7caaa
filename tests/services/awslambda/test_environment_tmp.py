"""Each execution environment has its own /tmp, as in AWS: kept across the environment's warm
invocations (and across the reset after a crash), never seen by another environment, gone with it.
And a runtime that ends during an invocation is started again, with its init, by the next one in
the same environment: AWS's reset and "suppressed init" (developer guide, "Failures during the
invoke phase"), reported in no log line of its own and without Init Duration.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from tests.conftest import ServerProcess
from tests.services.awslambda.support import LAMBDA_TRUST, Functions, invoke, log_messages, new_queue, unique

# Notes what it was asked to in /tmp/notes, and answers with what /tmp holds.
TMP_NOTES = """
import os, tempfile
def handler(event, context):
    if "note" in event:
        with open("/tmp/notes", "a") as notes:
            notes.write(event["note"] + "\\n")
    try:
        with open("/tmp/notes") as notes:
            held = notes.read().split()
    except FileNotFoundError:
        held = []
    return {"notes": held, "tempdir": tempfile.gettempdir()}
"""


def test_tmp_lasts_as_long_as_its_environment(functions: Functions, lam: Any) -> None:
    name = functions.python(TMP_NOTES)
    first = invoke(lam, name, {"note": "a"}).payload
    assert first == {"notes": ["a"], "tempdir": "/tmp"}  # AWS sets no TMPDIR: the temp dir is /tmp
    assert invoke(lam, name, {"note": "b"}).payload["notes"] == ["a", "b"]  # warm: the same /tmp
    # A configuration change ends the environment: the next one starts with an empty /tmp.
    lam.update_function_configuration(FunctionName=name, Description="changed")
    fresh = invoke(lam, name, {})
    assert "Init Duration" in fresh.report()
    assert fresh.payload["notes"] == []


def test_functions_never_see_each_others_tmp(functions: Functions, lam: Any) -> None:
    writer, reader = functions.python(TMP_NOTES), functions.python(TMP_NOTES)
    assert invoke(lam, writer, {"note": "secret"}).payload["notes"] == ["secret"]
    assert invoke(lam, reader, {}).payload["notes"] == []


# Looks for other environments' /tmp files where they stand on the host: beside its own /tmp, whose
# host path its mount table names (<data dir>/lambda/tmp/<id>; under /tmp for an --ephemeral server).
HOST_PATH_READER = """
import glob, os
def handler(event, context):
    with open("/proc/self/mountinfo") as table:
        own = [line.split()[3] for line in table if line.split()[4] == "/tmp"][0]
    found = []
    for path in (own, "/tmp" + own):  # the path within its file system, which may be /tmp itself
        found += glob.glob(os.path.join(os.path.dirname(path), "*", "notes"))
    return {"own": own, "found": sorted(found)}
"""


def test_another_environments_tmp_is_not_reached_by_its_host_path(functions: Functions, lam: Any) -> None:
    writer, reader = functions.python(TMP_NOTES), functions.python(HOST_PATH_READER)
    assert invoke(lam, writer, {"note": "secret"}).payload["notes"] == ["secret"]
    seen = invoke(lam, reader).payload
    assert seen["own"].endswith("/lambda/tmp/" + seen["own"].rsplit("/", 1)[-1])  # its host path was found
    assert seen["found"] == []


# Notes its mark, then (when told to) holds its environment busy until a message arrives on a queue.
HELD = """
import boto3
def handler(event, context):
    with open("/tmp/mark", "a") as mark:
        mark.write(event["mark"])
    if event.get("hold"):
        boto3.client("sqs").receive_message(QueueUrl=event["hold"], WaitTimeSeconds=15)
    with open("/tmp/mark") as mark:
        return mark.read()
"""


def test_concurrent_environments_of_one_function_have_separate_tmps(made: Functions, lam: Any, sqs: Any) -> None:
    name = made.python(HELD, timeout=20)  # its role may use SQS
    release, _ = new_queue(sqs)
    held: list[Any] = []
    first = threading.Thread(target=lambda: held.append(invoke(lam, name, {"mark": "A", "hold": release}).payload))
    first.start()
    # The first environment is busy until released: this invocation gets a second environment.
    second = invoke(lam, name, {"mark": "B"})
    sqs.send_message(QueueUrl=release, MessageBody="go")
    first.join()
    assert "Init Duration" in second.report()
    assert (held, second.payload) == (["A"], "B")


# Counts its inits in /tmp (which the reset keeps) and its invocations in memory (which it does not).
CRASHING = """
import os, time
with open("/tmp/inits", "a") as inits:
    inits.write("init\\n")
invocations = 0
def handler(event, context):
    global invocations
    invocations += 1
    if event.get("how") == "exit":
        os._exit(3)
    if event.get("how") == "sleep":
        time.sleep(5)
    with open("/tmp/inits") as inits:
        return {"inits": len(inits.read().split()), "invocations": invocations}
"""


def test_after_a_crash_the_next_invocation_initialises_again_in_the_same_environment(
    functions: Functions, lam: Any, logs: Any
) -> None:
    name = functions.python(CRASHING)
    first = invoke(lam, name)
    assert first.payload == {"inits": 1, "invocations": 1} and "Init Duration" in first.report()
    crashed = invoke(lam, name, {"how": "exit"})
    assert crashed.payload["errorType"] == "Runtime.ExitError"
    assert crashed.report().endswith("\tStatus: error\tError Type: Runtime.ExitError\t")
    again = invoke(lam, name)
    # Init ran again (the module's counter starts over) in the same environment (its /tmp is there).
    assert again.payload == {"inits": 2, "invocations": 1}
    # A suppressed init has no line of its own: no INIT_START, no Init Duration; its time is the Duration's.
    assert "Init Duration" not in again.report() and "INIT_START" not in again.log
    # The environment, and so its log stream, is the one the first invocations ran in.
    messages = log_messages(logs, f"/aws/lambda/{name}", f"REPORT RequestId: {again.request_id}", wait=10)
    assert sum(m.startswith("INIT_START") for m in messages) == 1
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 1


def test_after_a_timeout_the_next_invocation_initialises_again(functions: Functions, lam: Any) -> None:
    name = functions.python(CRASHING, timeout=1)
    assert invoke(lam, name).payload == {"inits": 1, "invocations": 1}
    timed_out = invoke(lam, name, {"how": "sleep"})
    assert timed_out.payload["errorType"] == "Sandbox.Timedout"
    again = invoke(lam, name)
    assert again.payload == {"inits": 2, "invocations": 1}
    assert "Init Duration" not in again.report()


LAYER_READER = """
import os, subprocess
def handler(event, context):
    with open("/opt/data/config.json") as config:
        data = config.read()
    return {
        "data": data,
        "listing": sorted(os.listdir("/opt")),
        "tool": subprocess.run(["layer-tool"], capture_output=True, text=True).stdout,
        "writable": os.access("/opt/data/config.json", os.W_OK),
    }
"""


def test_layers_are_in_opt_itself(functions: Functions, lam: Any) -> None:
    """AWS extracts layers into /opt: code reading `/opt/...` by absolute path finds them there, binaries
    in /opt/bin are on PATH, and /opt is read-only; a function without layers finds /opt empty."""
    from tests.services.awslambda.support import zipped

    layer = lam.publish_layer_version(
        LayerName=f"opt-{os.getpid()}",
        Content={"ZipFile": zipped(
            {"data/config.json": json.dumps({"from": "layer"}), "bin/layer-tool": "#!/bin/sh\necho tool-ran\n"},
            executable=("bin/layer-tool",),
        )},
    )
    name = functions.python(LAYER_READER, Layers=[layer["LayerVersionArn"]])
    answer = invoke(lam, name).payload
    assert answer == {"data": '{"from": "layer"}', "listing": ["bin", "data"], "tool": "tool-ran\n", "writable": False}
    bare = functions.python("import os\ndef handler(event, context):\n    return os.listdir('/opt')\n")
    assert invoke(lam, bare).payload == []
    lam.delete_layer_version(LayerName=layer["LayerArn"].split(":")[-1], VersionNumber=layer["Version"])


# Notes what it was asked to in its temp dir, and says where that is.
TEMPDIR_NOTES = """
import os, tempfile
def handler(event, context):
    notes = os.path.join(tempfile.gettempdir(), "notes")
    if "note" in event:
        with open(notes, "a") as out:
            out.write(event["note"] + "\\n")
    held = open(notes).read().split() if os.path.exists(notes) else []
    return {"notes": held, "dirs": [os.environ.get(k) for k in ("TMPDIR", "TMP", "TEMP")]}
"""


def test_without_namespaces_each_environment_has_its_own_temp_dir() -> None:
    """Where the host allows no mount namespace (POCKETCLOUD_LAMBDA_NAMESPACES=0 asks for that mode),
    TMPDIR, TMP and TEMP name the environment's own directory instead of /tmp: kept while the
    environment lives, never another's."""
    server = ServerProcess(env={"POCKETCLOUD_LAMBDA_NAMESPACES": "0"}).start()
    try:
        lam = server.client("lambda")
        role = server.client("iam").create_role(
            RoleName=unique("lambda-exec"), AssumeRolePolicyDocument=LAMBDA_TRUST
        )["Role"]["Arn"]
        functions = Functions(lam, role)
        first, second = functions.python(TEMPDIR_NOTES), functions.python(TEMPDIR_NOTES)
        answer = invoke(lam, first, {"note": "a"}).payload
        tmpdir = answer["dirs"][0]
        assert answer["notes"] == ["a"] and tmpdir and tmpdir != "/tmp" and answer["dirs"] == [tmpdir] * 3
        assert invoke(lam, first, {"note": "b"}).payload["notes"] == ["a", "b"]  # warm: the same directory
        other = invoke(lam, second, {}).payload
        assert other["notes"] == [] and other["dirs"][0] != tmpdir
    finally:
        server.stop()
