"""Log anomaly detectors: created on one existing log group, read back, listed (by group too),
updated, paused, tagged and deleted; no anomalies are found (the detection itself is not done)."""

from __future__ import annotations

import re
from typing import Any

from tests.conftest import ROOT_ACCOUNT
from tests.services.logs.support import error_of

REGION = "us-east-1"


def group_arn(group: str) -> str:
    return f"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:log-group:{group}"


def test_a_detector_is_created_read_listed_updated_and_deleted(logs: Any, group: str) -> None:
    arn = logs.create_log_anomaly_detector(
        logGroupArnList=[group_arn(group)],
        detectorName="errors",
        evaluationFrequency="TEN_MIN",
        filterPattern="ERROR",
        anomalyVisibilityTime=14,
        tags={"team": "core"},
    )["anomalyDetectorArn"]
    assert re.fullmatch(rf"arn:aws:logs:{REGION}:{ROOT_ACCOUNT}:anomaly-detector:[0-9a-f-]{{36}}", arn)
    detector = logs.get_log_anomaly_detector(anomalyDetectorArn=arn)
    assert {k: detector[k] for k in ("detectorName", "logGroupArnList", "evaluationFrequency")} == {
        "detectorName": "errors",
        "logGroupArnList": [group_arn(group)],
        "evaluationFrequency": "TEN_MIN",
    }
    assert (detector["filterPattern"], detector["anomalyVisibilityTime"]) == ("ERROR", 14)
    assert detector["anomalyDetectorStatus"] == "ANALYZING"
    assert detector["creationTimeStamp"] == detector["lastModifiedTimeStamp"] > 0
    assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "core"}

    other = logs.create_log_anomaly_detector(logGroupArnList=[group_arn(group)])["anomalyDetectorArn"]
    defaults = logs.get_log_anomaly_detector(anomalyDetectorArn=other)
    assert (defaults["evaluationFrequency"], defaults["anomalyVisibilityTime"]) == ("FIVE_MIN", 21)
    listed = logs.list_log_anomaly_detectors(filterLogGroupArn=group_arn(group))["anomalyDetectors"]
    assert sorted(d["anomalyDetectorArn"] for d in listed) == sorted([arn, other])
    first = logs.list_log_anomaly_detectors(filterLogGroupArn=group_arn(group), limit=1)
    second = logs.list_log_anomaly_detectors(filterLogGroupArn=group_arn(group), nextToken=first["nextToken"])
    assert [
        d["anomalyDetectorArn"] for d in first["anomalyDetectors"] + second["anomalyDetectors"]
    ] == sorted([arn, other], key=lambda a: a.rsplit(":", 1)[1])
    assert "nextToken" not in second

    logs.update_log_anomaly_detector(anomalyDetectorArn=arn, enabled=False, evaluationFrequency="ONE_HOUR")
    paused = logs.get_log_anomaly_detector(anomalyDetectorArn=arn)
    assert (paused["anomalyDetectorStatus"], paused["evaluationFrequency"]) == ("PAUSED", "ONE_HOUR")
    assert paused["filterPattern"] == "ERROR"  # what the update did not name stays
    logs.update_log_anomaly_detector(anomalyDetectorArn=arn, enabled=True)
    assert logs.get_log_anomaly_detector(anomalyDetectorArn=arn)["anomalyDetectorStatus"] == "ANALYZING"

    assert logs.list_anomalies(anomalyDetectorArn=arn)["anomalies"] == []
    for detector_arn in (arn, other):
        logs.delete_log_anomaly_detector(anomalyDetectorArn=detector_arn)
    assert error_of(logs.get_log_anomaly_detector, anomalyDetectorArn=arn)[0] == "ResourceNotFoundException"
    assert (
        error_of(logs.delete_log_anomaly_detector, anomalyDetectorArn=arn)[0] == "ResourceNotFoundException"
    )
    assert error_of(logs.list_tags_for_resource, resourceArn=arn)[0] == "ResourceNotFoundException"
    assert logs.list_log_anomaly_detectors(filterLogGroupArn=group_arn(group))["anomalyDetectors"] == []


def test_a_detector_watches_one_log_group_that_exists(logs: Any, group: str) -> None:
    missing = group_arn(group + "-missing")
    assert (
        error_of(logs.create_log_anomaly_detector, logGroupArnList=[missing])[0]
        == "ResourceNotFoundException"
    )
    two = [group_arn(group), group_arn(group)]
    assert error_of(logs.create_log_anomaly_detector, logGroupArnList=two)[0] == "InvalidParameterException"
    bad_pattern = {"logGroupArnList": [group_arn(group)], "filterPattern": '{ $.level = "ERROR"'}
    assert error_of(logs.create_log_anomaly_detector, **bad_pattern)[0] == "InvalidParameterException"
    arn = logs.create_log_anomaly_detector(logGroupArnList=[group_arn(group)])["anomalyDetectorArn"]
    assert (
        error_of(logs.list_log_anomaly_detectors, nextToken="!!not a token!!")[0]
        == "InvalidParameterException"
    )
    code, _ = error_of(logs.update_anomaly, anomalyDetectorArn=arn, anomalyId="0" * 36, patternId="0" * 32)
    assert code == "InvalidParameterException"
    code, _ = error_of(
        logs.update_anomaly, anomalyDetectorArn=arn, anomalyId="0" * 36, suppressionType="INFINITE"
    )
    assert code == "ResourceNotFoundException"  # it found no anomaly to suppress
    logs.delete_log_anomaly_detector(anomalyDetectorArn=arn)
