"""Lambda state is the same after a SIGTERM or kill -9 restart (how: restart_support.py)."""

from __future__ import annotations

import http.client
import io
import json
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ROOT_ACCOUNT, ServerProcess, wait_for
from tests.services.wiring.restart_support import (
    REGION,
    STOPS,
    TRUST_LAMBDA,
    describe,
    unique,
    zipped,
)

# -- Lambda ----------------------------------------------------------------------------------------

SQS_ROLE_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [
    "sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
    "Resource": "*"}]})
HANDLER = "def handler(event, context):\n    print('GOT', [r.get('body') for r in event.get('Records', [])])\n" \
          "    return {'ok': True}\n"


def _build_lambda(server: ServerProcess) -> dict[str, Any]:
    iam: Any = server.client("iam")
    lam: Any = server.client("lambda")
    sqs: Any = server.client("sqs")
    role_name = unique("fn-role")
    role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
    iam.put_role_policy(RoleName=role_name, PolicyName="sqs", PolicyDocument=SQS_ROLE_POLICY)
    layer = lam.publish_layer_version(LayerName=unique("layer"), Description="helpers",
                                      Content={"ZipFile": zipped("X = 1\n", "python/helper.py")},
                                      CompatibleRuntimes=["python3.12"])
    lam.add_layer_version_permission(LayerName=layer["LayerArn"].rsplit(":", 1)[1], VersionNumber=layer["Version"],
                                     StatementId="share", Action="lambda:GetLayerVersion", Principal="*")
    name = unique("fn")
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": zipped(HANDLER)}, Timeout=10, MemorySize=256, Description="v1",
                        Environment={"Variables": {"STAGE": "one", "COLOUR": "red"}},
                        Layers=[layer["LayerVersionArn"]], Tags={"team": "blue"})
    v1 = lam.publish_version(FunctionName=name, Description="first")["Version"]
    lam.update_function_configuration(FunctionName=name, Environment={"Variables": {"STAGE": "two"}},
                                      Description="v2")
    wait_for(lambda: lam.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == "Successful")
    v2 = lam.publish_version(FunctionName=name, Description="second")["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=v1, Description="canary",
                     RoutingConfig={"AdditionalVersionWeights": {v2: 0.25}})
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=5)
    lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=600)
    lam.create_function_url_config(FunctionName=name, AuthType="NONE", Cors={
        "AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 60})
    lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                       FunctionUrlAuthType="NONE")
    lam.add_permission(FunctionName=name, StatementId="url-invoke", Action="lambda:InvokeFunction", Principal="*",
                       InvokedViaFunctionUrl=True)
    lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::some-bucket")
    lam.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    lam.put_runtime_management_config(FunctionName=name, UpdateRuntimeOn="FunctionUpdate")
    signing = lam.create_code_signing_config(Description="team", AllowedPublishers={"SigningProfileVersionArns": [
        f"arn:aws:signer:{REGION}:{ROOT_ACCOUNT}:/signing-profiles/team/abcdef1234"]},
        CodeSigningPolicies={"UntrustedArtifactOnDeployment": "Warn"})["CodeSigningConfig"]["CodeSigningConfigArn"]
    lam.put_function_code_signing_config(FunctionName=name, CodeSigningConfigArn=signing)
    lam.put_provisioned_concurrency_config(FunctionName=name, Qualifier="live",
                                           ProvisionedConcurrentExecutions=1)
    queue = sqs.create_queue(QueueName=unique("feed"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    mapping = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=queue_arn, BatchSize=5,
                                              MaximumBatchingWindowInSeconds=0)["UUID"]
    wait_for(lambda: lam.get_event_source_mapping(UUID=mapping)["State"] == "Enabled")
    wait_for(lambda: lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")["Status"] == "READY")
    return {"name": name, "layer": layer, "mapping": mapping, "queue": queue, "v1": v1, "v2": v2,
            "signing": signing}


def _without_locations(answer: dict[str, Any]) -> dict[str, Any]:
    """Code and Content locations are signed URLs with an expiry: compared apart, by what they download."""
    answer = json.loads(json.dumps(answer, default=str))
    for part in ("Code", "Content"):
        answer.get(part, {}).pop("Location", None)
    return answer


def _describe_lambda(server: ServerProcess, state: dict[str, Any]) -> dict[str, Any]:
    lam: Any = server.client("lambda")
    name, layer = state["name"], state["layer"]
    layer_name = layer["LayerArn"].rsplit(":", 1)[1]
    found = describe([
        ("functions", lam.list_functions, {"FunctionVersion": "ALL"}),
        ("configuration", lam.get_function_configuration, {"FunctionName": name}),
        ("configuration_v1", lam.get_function_configuration, {"FunctionName": name, "Qualifier": "1"}),
        ("versions", lam.list_versions_by_function, {"FunctionName": name}),
        ("alias", lam.get_alias, {"FunctionName": name, "Name": "live"}),
        ("aliases", lam.list_aliases, {"FunctionName": name}),
        ("concurrency", lam.get_function_concurrency, {"FunctionName": name}),
        ("invoke_config", lam.get_function_event_invoke_config, {"FunctionName": name}),
        ("invoke_configs", lam.list_function_event_invoke_configs, {"FunctionName": name}),
        ("url", lam.get_function_url_config, {"FunctionName": name}),
        ("urls", lam.list_function_url_configs, {"FunctionName": name}),
        ("policy", lam.get_policy, {"FunctionName": name}),
        ("tags", lam.list_tags, {"Resource": lam.get_function_configuration(FunctionName=name)["FunctionArn"]}),
        ("recursion", lam.get_function_recursion_config, {"FunctionName": name}),
        ("provisioned", lam.get_provisioned_concurrency_config, {"FunctionName": name, "Qualifier": "live"}),
        ("provisioned_all", lam.list_provisioned_concurrency_configs, {"FunctionName": name}),
        ("mapping", lam.get_event_source_mapping, {"UUID": state["mapping"]}),
        ("mappings", lam.list_event_source_mappings, {"FunctionName": name}),
        ("layers", lam.list_layers, {}),
        ("layer_versions", lam.list_layer_versions, {"LayerName": layer_name}),
        ("layer_policy", lam.get_layer_version_policy, {"LayerName": layer_name, "VersionNumber": layer["Version"]}),
        ("account", lam.get_account_settings, {}),
        ("runtime_management", lam.get_runtime_management_config, {"FunctionName": name}),
        ("signing", lam.get_code_signing_config, {"CodeSigningConfigArn": state["signing"]}),
        ("signing_all", lam.list_code_signing_configs, {}),
        ("function_signing", lam.get_function_code_signing_config, {"FunctionName": name}),
        ("signed_functions", lam.list_functions_by_code_signing_config, {"CodeSigningConfigArn": state["signing"]}),
    ])
    found["function"] = _without_locations(lam.get_function(FunctionName=name))
    found["function"].pop("ResponseMetadata")
    found["layer"] = _without_locations(lam.get_layer_version(LayerName=layer_name, VersionNumber=layer["Version"]))
    found["layer"].pop("ResponseMetadata")
    # The account's unreserved concurrency depends on nothing that a restart changes.
    return found


@pytest.mark.parametrize("how", STOPS)
def test_lambda_functions_and_their_configuration_survive_a_restart(first: ServerProcess, restart: Any,
                                                                     how: str) -> None:
    state = _build_lambda(first)
    before = _describe_lambda(first, state)
    code_url = first.client("lambda").get_function(FunctionName=state["name"])["Code"]["Location"]
    second = restart(first, how)
    assert _describe_lambda(second, state) == before
    lam: Any = second.client("lambda")
    # A Code.Location URL is valid for 10 minutes, a restart or not.
    with urllib.request.urlopen(code_url, timeout=10) as response:
        assert zipfile.ZipFile(io.BytesIO(response.read())).read("app.py").decode() == HANDLER
    # The alias still routes to its versions, and the environment of each version is its own.
    invoked = lam.invoke(FunctionName=state["name"], Qualifier=state["v1"], Payload=b"{}")
    assert (invoked["ExecutedVersion"], json.loads(invoked["Payload"].read())) == ("1", {"ok": True})
    # The function URL still answers, without signing (AuthType NONE and the public permission).
    url = urllib.parse.urlsplit(before["url"]["FunctionUrl"])
    connection = http.client.HTTPConnection("127.0.0.1", second.port, timeout=30)
    try:
        connection.request("GET", "/", headers={"Host": url.netloc})
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())) == (200, {"ok": True})
    finally:
        connection.close()
    # The SQS mapping resumes consuming: a message sent after the restart is taken off the queue.
    sqs: Any = second.client("sqs")
    sqs.send_message(QueueUrl=state["queue"], MessageBody="after-restart")
    wait_for(lambda: _queue_empty(sqs, state["queue"]), 20)


def _queue_empty(sqs: Any, url: str) -> bool:
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    return counts == {"ApproximateNumberOfMessages": "0", "ApproximateNumberOfMessagesNotVisible": "0"}



def test_an_async_event_awaiting_its_retry_is_retried_after_a_kill_9(tmp_path: Path, restart: Any) -> None:
    # Retries wait 5 s here, long enough to see the first attempt fail and kill the server before the retry.
    first = ServerProcess(data_dir=tmp_path, env={"POCKETCLOUD_LAMBDA_RETRY_SECONDS": "5",
                                                  "POCKETCLOUD_LOGS_FLUSH_SECONDS": "0.1"}).start()
    try:
        iam: Any = first.client("iam")
        lam: Any = first.client("lambda")
        sqs: Any = first.client("sqs")
        failures = sqs.create_queue(QueueName=unique("failures"))["QueueUrl"]
        failures_arn = sqs.get_queue_attributes(QueueUrl=failures, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        role_name = unique("fn-role")
        role = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=TRUST_LAMBDA)["Role"]["Arn"]
        iam.put_role_policy(RoleName=role_name, PolicyName="send", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                    "Resource": failures_arn}]}))
        name = unique("failing")
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=10,
                            Code={"ZipFile": zipped("def handler(event, context):\n    print('ATTEMPT', event)\n"
                                                  "    raise RuntimeError('nope')\n")})
        lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1,
                                             DestinationConfig={"OnFailure": {"Destination": failures_arn}})
        lam.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"order": 7}')
        logs: Any = first.client("logs")
        wait_for(lambda: _logged(logs, f"/aws/lambda/{name}", "ATTEMPT"))
        assert sqs.receive_message(QueueUrl=failures).get("Messages", []) == []
        second = restart(first, "kill9")
    finally:
        first.stop()
    queue: Any = second.client("sqs")
    found = wait_for(lambda: queue.receive_message(QueueUrl=failures, WaitTimeSeconds=1).get("Messages"), 20)
    record = json.loads(found[0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"order": 7}


def _logged(logs: Any, group: str, pattern: str) -> list[Any]:
    """The events of `group` matching `pattern`; none while the group is not there yet."""
    try:
        return list(logs.filter_log_events(logGroupName=group, filterPattern=pattern)["events"])
    except ClientError as exc:
        assert exc.response["Error"]["Code"] == "ResourceNotFoundException"
        return []
