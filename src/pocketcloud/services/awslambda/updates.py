"""Functions with an update in progress: LastUpdateStatus InProgress, and AWS's refusal of another.

An UpdateFunctionCode or UpdateFunctionConfiguration here is in progress from the moment it writes
the function until the environments of the old code or configuration are stopped (it answers
then). While it is, GetFunction and GetFunctionConfiguration report LastUpdateStatus InProgress,
and another update, or a PublishVersion, is refused as AWS refuses it: 409
ResourceConflictException "The operation cannot be performed at this time. An update is in
progress for resource: <function ARN>".

A function's RevisionId moves when its update completes, and when its creation does (Pending to
Active), as AWS's does (LocalStack's validated test_function_revisions_basic: the update's answer
names one revision, GetFunction after the function_updated_v2 waiter another). The answer of a
create or an update, and a read while the update is in progress, therefore name a revision of
their own (`transient_revision`), and the function is stored under the revision it completes with.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pocketcloud.services.awslambda.errors import conflict

IN_PROGRESS = {
    "LastUpdateStatus": "InProgress",
    "LastUpdateStatusReason": "The function is being created.",
    "LastUpdateStatusReasonCode": "Creating",
}


def transient_revision() -> str:
    """The RevisionId a function has while it is being created or updated (replaced as that completes)."""
    return str(uuid.uuid4())


class UpdatesInProgress:
    def __init__(self) -> None:
        self._revisions: dict[str, str] = {}  # function ARN → its revision while the update runs

    def check(self, arn: str) -> None:
        """Refuse an operation AWS refuses while the function `arn` (unqualified) is being updated."""
        if arn in self._revisions:
            raise conflict(
                f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
            )

    @contextmanager
    def updating(self, arn: str) -> Iterator[str]:
        """The update of `arn` in progress (another is refused) until the block ends; yields the
        RevisionId the function reports meanwhile."""
        self.check(arn)
        revision = transient_revision()
        self._revisions[arn] = revision
        try:
            yield revision
        finally:
            self._revisions.pop(arn, None)

    def shown(self, arn: str, view: dict[str, Any], qualifier: str | None = None) -> dict[str, Any]:
        """`view`, the configuration of $LATEST, reporting an update of it in progress."""
        revision = self._revisions.get(arn)
        if revision is not None and qualifier in (None, "$LATEST"):
            view.update(IN_PROGRESS)
            view["RevisionId"] = revision
        return view
