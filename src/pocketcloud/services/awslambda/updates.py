"""Functions with an update in progress: LastUpdateStatus InProgress, and AWS's refusal of another.

An UpdateFunctionCode or UpdateFunctionConfiguration here is in progress from the moment it writes
the function until the environments of the old code or configuration are stopped (it answers
then). While it is, GetFunction and GetFunctionConfiguration report LastUpdateStatus InProgress,
and another update, or a PublishVersion, is refused as AWS refuses it: 409
ResourceConflictException "The operation cannot be performed at this time. An update is in
progress for resource: <function ARN>".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pocketcloud.services.awslambda.errors import conflict

IN_PROGRESS = {
    "LastUpdateStatus": "InProgress",
    "LastUpdateStatusReason": "The function is being created.",
    "LastUpdateStatusReasonCode": "Creating",
}


class UpdatesInProgress:
    def __init__(self) -> None:
        self._arns: set[str] = set()

    def check(self, arn: str) -> None:
        """Refuse an operation AWS refuses while the function `arn` (unqualified) is being updated."""
        if arn in self._arns:
            raise conflict(
                f"The operation cannot be performed at this time. An update is in progress for resource: {arn}"
            )

    @contextmanager
    def updating(self, arn: str) -> Iterator[None]:
        """The update of `arn` in progress (another is refused) until the block ends."""
        self.check(arn)
        self._arns.add(arn)
        try:
            yield
        finally:
            self._arns.discard(arn)

    def shown(self, arn: str, view: dict[str, Any], qualifier: str | None = None) -> dict[str, Any]:
        """`view`, the configuration of $LATEST, reporting an update of it in progress."""
        if arn in self._arns and qualifier in (None, "$LATEST"):
            view.update(IN_PROGRESS)
        return view
