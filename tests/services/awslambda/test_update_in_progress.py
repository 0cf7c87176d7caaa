"""While an update of a function is in progress its LastUpdateStatus is InProgress, and AWS refuses
another update, or a PublishVersion, with 409 ResourceConflictException: "The operation cannot be
performed at this time. An update is in progress for resource: <function ARN>". Here an update is in
progress until the environments of the old configuration have stopped.
"""

from __future__ import annotations

import threading
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.awslambda.support import Functions, error_of, invoke, zipped

# Its runtime ignores SIGTERM, so stopping its idle environment takes the shutdown's grace period:
# the update that stops it is in progress meanwhile.
LINGERS = "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\ndef handler(event, context):\n    return 1\n"


def test_an_update_in_progress_refuses_another(functions: Functions, lam: Any) -> None:
    name = functions.python(LINGERS)
    arn = f"arn:aws:lambda:us-east-1:{ROOT_ACCOUNT}:function:{name}"
    assert invoke(lam, name).payload == 1  # an idle environment for the update to stop
    answers: list[Any] = []
    first = threading.Thread(
        target=lambda: answers.append(lam.update_function_configuration(FunctionName=name, Description="first"))
    )
    first.start()
    seen = None
    for _ in range(1000):
        config = lam.get_function_configuration(FunctionName=name)
        if config["LastUpdateStatus"] == "InProgress":
            seen = config
            break
    assert seen is not None and seen["LastUpdateStatusReasonCode"] == "Creating"
    wording = f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
    code, status, message, _ = error_of(
        lam.update_function_code, FunctionName=name, ZipFile=zipped({"app.py": LINGERS})
    )
    assert (code, status, message) == ("ResourceConflictException", 409, wording)
    code, status, message, _ = error_of(lam.publish_version, FunctionName=name)
    assert (code, status, message) == ("ResourceConflictException", 409, wording)
    first.join()
    assert answers[0]["LastUpdateStatus"] == "InProgress"  # the update's own answer, as AWS's
    settled = lam.get_function_configuration(FunctionName=name)
    assert (settled["LastUpdateStatus"], settled["Description"]) == ("Successful", "first")
    lam.update_function_configuration(FunctionName=name, Description="second")  # nothing in progress now
    assert lam.get_function(FunctionName=name)["Configuration"]["Description"] == "second"
