"""Log anomaly detectors: CreateLogAnomalyDetector, Get/List/Update/DeleteLogAnomalyDetector,
ListAnomalies and UpdateAnomaly, and their tags (TagResource & co. on a detector's ARN).

A detector watches one log group (`logGroupArnList` holds exactly one ARN, of a
group that exists) under the ARN
`arn:aws:logs:<region>:<account>:anomaly-detector:<uuid>`. Its settings are kept,
validated (the filter pattern as a metric filter's) and answered; its status is
ANALYZING while enabled and PAUSED once UpdateLogAnomalyDetector disables it.
The machine-learning part,
finding patterns and anomalies in the events, is not done here: a detector finds
no anomalies, so ListAnomalies answers none and UpdateAnomaly names none.
"""

from __future__ import annotations

import uuid
from typing import Any

from pocketcloud.gateway.context import RequestContext
from pocketcloud.services.logs.errors import LogsMixin, invalid, not_found
from pocketcloud.services.logs.events import now_ms
from pocketcloud.services.logs.filters import checked_pattern, page_by

Params = dict[str, Any]

DEFAULT_FREQUENCY = "FIVE_MIN"
DEFAULT_VISIBILITY_DAYS = 21
_SETTINGS = ("evaluationFrequency", "filterPattern", "anomalyVisibilityTime")


def _detector_id(arn: str) -> str | None:
    """The id an anomaly detector's ARN names (None: not one)."""
    parts = arn.split(":", 6)
    if len(parts) != 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "anomaly-detector":
        return None
    return parts[6] or None


class AnomalyDetectorOperations(LogsMixin):
    anomaly_detectors: Any
    _group_from_arn: Any

    def _detector(self, ctx: RequestContext, arn: str) -> tuple[str, Params]:
        detector_id = _detector_id(arn)
        doc = self.anomaly_detectors.get(self._scope(ctx), detector_id) if detector_id else None
        if doc is None or doc["anomalyDetectorArn"] != arn:
            raise not_found("The specified anomaly detector does not exist.")
        return str(detector_id), doc

    def CreateLogAnomalyDetector(self, ctx: RequestContext, p: Params) -> Params:
        groups = p["logGroupArnList"]
        if len(groups) != 1:
            raise invalid("logGroupArnList must contain exactly one log group ARN.")
        self._group(ctx, self._group_from_arn(ctx, groups[0]))  # it exists (ResourceNotFoundException)
        if p.get("filterPattern"):
            checked_pattern(p["filterPattern"])  # a metric filter's syntax (InvalidParameterException)
        scope = self._scope(ctx)
        detector_id = str(uuid.uuid4())
        arn = f"arn:aws:logs:{ctx.region}:{ctx.account_id}:anomaly-detector:{detector_id}"
        now = now_ms()
        doc: Params = {
            "anomalyDetectorArn": arn,
            "detectorName": p.get("detectorName") or "",
            "logGroupArnList": list(groups),
            "evaluationFrequency": p.get("evaluationFrequency") or DEFAULT_FREQUENCY,
            "filterPattern": p.get("filterPattern") or "",
            "anomalyDetectorStatus": "ANALYZING",
            "creationTimeStamp": now,
            "lastModifiedTimeStamp": now,
            "anomalyVisibilityTime": p.get("anomalyVisibilityTime") or DEFAULT_VISIBILITY_DAYS,
        }
        if p.get("kmsKeyId"):
            doc["kmsKeyId"] = p["kmsKeyId"]
        if p.get("tags"):
            doc["tags"] = dict(p["tags"])
        self.anomaly_detectors.put(scope, detector_id, doc)
        return {"anomalyDetectorArn": arn}

    @staticmethod
    def _view(doc: Params) -> Params:
        return {k: v for k, v in doc.items() if k != "tags" and v != ""}

    def GetLogAnomalyDetector(self, ctx: RequestContext, p: Params) -> Params:
        _, doc = self._detector(ctx, p["anomalyDetectorArn"])
        view = self._view(doc)
        view.pop("anomalyDetectorArn")
        return view

    def ListLogAnomalyDetectors(self, ctx: RequestContext, p: Params) -> Params:
        wanted = p.get("filterLogGroupArn")
        docs = [
            self._view(doc)
            for _, doc in self.anomaly_detectors.scan(self._scope(ctx))
            if not wanted or wanted in doc["logGroupArnList"]
        ]
        found, token = page_by(docs, "anomalyDetectorArn", p)
        return {"anomalyDetectors": found, **({"nextToken": token} if token else {})}

    def UpdateLogAnomalyDetector(self, ctx: RequestContext, p: Params) -> Params:
        detector_id, doc = self._detector(ctx, p["anomalyDetectorArn"])
        if p.get("filterPattern"):
            checked_pattern(p["filterPattern"])
        for member in _SETTINGS:
            if p.get(member) is not None:
                doc[member] = p[member]
        doc["anomalyDetectorStatus"] = "ANALYZING" if p["enabled"] else "PAUSED"
        doc["lastModifiedTimeStamp"] = now_ms()
        self.anomaly_detectors.put(self._scope(ctx), detector_id, doc)
        return {}

    def DeleteLogAnomalyDetector(self, ctx: RequestContext, p: Params) -> Params:
        detector_id, _ = self._detector(ctx, p["anomalyDetectorArn"])
        self.anomaly_detectors.delete(self._scope(ctx), detector_id)
        return {}

    def ListAnomalies(self, ctx: RequestContext, p: Params) -> Params:
        if p.get("anomalyDetectorArn"):
            self._detector(ctx, p["anomalyDetectorArn"])
        return {"anomalies": []}  # no detector here finds any (the module docstring)

    def UpdateAnomaly(self, ctx: RequestContext, p: Params) -> Params:
        self._detector(ctx, p["anomalyDetectorArn"])
        anomaly, pattern = p.get("anomalyId"), p.get("patternId")
        if (anomaly is None) == (pattern is None):
            raise invalid("You must specify either anomalyId or patternId, but not both.")
        raise not_found(f"The specified {'anomaly' if anomaly else 'pattern'} does not exist.")
