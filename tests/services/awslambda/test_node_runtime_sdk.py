"""The AWS SDK for JavaScript v3 that Lambda's nodejs18.x and later runtimes include: a handler that
bundles no SDK imports @aws-sdk/client-s3 and client-sqs (an ES module through the runtime's NODE_PATH
search, a CommonJS one through require), and `new S3Client({})` with no configuration talks to this
server as the function's execution role, as on AWS. What it did is read back with boto3.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pocketcloud.lambda_runtime.runtimes import REPO_NODE_SDK
from tests.conftest import ServerProcess
from tests.services.awslambda.support import Functions, execution_role, invoke, unique, zipped

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs node")

ESM_APP = """
import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const s3 = new S3Client({});
const sqs = new SQSClient({});

export const handler = async (event) => {
  await s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: "from-node.txt", Body: "written by the runtime's SDK" }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: event.queue, MessageBody: "sent by the runtime's SDK" }));
  return { messageId: sent.MessageId };
};
"""

CJS_APP = """
const { S3Client, GetObjectCommand } = require("@aws-sdk/client-s3");
const s3 = new S3Client({});
exports.handler = async (event) => {
  const got = await s3.send(new GetObjectCommand({ Bucket: event.bucket, Key: "from-node.txt" }));
  return { body: await got.Body.transformToString(), from: require.resolve("@aws-sdk/client-s3") };
};
"""


@pytest.fixture(scope="module")
def node_sdk() -> Path:
    """lambda-sdk/node installed (`make` installs it; skipped only without npm, as `make` skips it)."""
    if not (REPO_NODE_SDK / "@aws-sdk" / "client-s3").is_dir():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: the Node.js runtimes have no AWS SDK")
        install = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO_NODE_SDK.parent, capture_output=True, text=True, timeout=600
        )
        assert install.returncode == 0, f"npm ci failed:\n{install.stdout}\n{install.stderr}"
    return REPO_NODE_SDK


@pytest.fixture(scope="module")
def sdk_role(server: ServerProcess) -> str:
    """An execution role that may put and get objects and send messages, nothing else."""
    return execution_role(server, "node-sdk", ["s3:PutObject", "s3:GetObject", "sqs:SendMessage"])


@pytest.fixture
def made(lam: Any, sdk_role: str) -> Iterator[Functions]:
    functions = Functions(lam, sdk_role)
    yield functions
    functions.cleanup()


@pytest.fixture(scope="module")
def targets(server: ServerProcess) -> dict[str, str]:
    s3: Any = server.client("s3")
    sqs: Any = server.client("sqs")
    bucket = unique("node-sdk")
    s3.create_bucket(Bucket=bucket)
    return {"bucket": bucket, "queue": sqs.create_queue(QueueName=unique("node-sdk"))["QueueUrl"]}


def test_an_es_module_handler_uses_the_runtimes_sdk_without_bundling_it(
    node_sdk: Path, made: Functions, lam: Any, server: ServerProcess, targets: dict[str, str]
) -> None:
    name = made.create({"index.mjs": ESM_APP}, runtime="nodejs22.x", handler="index.handler", timeout=10)
    result = invoke(lam, name, targets)
    assert result.function_error is None, result.raw
    s3: Any = server.client("s3")
    assert s3.get_object(Bucket=targets["bucket"], Key="from-node.txt")["Body"].read() == b"written by the runtime's SDK"
    sqs: Any = server.client("sqs")
    messages = sqs.receive_message(QueueUrl=targets["queue"], WaitTimeSeconds=2)["Messages"]
    assert [(m["MessageId"], m["Body"]) for m in messages] == [(result.payload["messageId"], "sent by the runtime's SDK")]

    # The same SDK through require() (NODE_PATH), in a CommonJS handler of another runtime version.
    legacy = made.create({"index.js": CJS_APP}, runtime="nodejs18.x", handler="index.handler", timeout=10)
    got = invoke(lam, legacy, targets)
    assert got.function_error is None, got.raw
    assert got.payload["body"] == "written by the runtime's SDK"
    assert Path(got.payload["from"]).is_relative_to("/var/runtime/node_modules")  # where AWS's runtime has it


def test_a_bundled_sdk_comes_before_the_runtimes(node_sdk: Path, made: Functions, lam: Any) -> None:
    # The package's own node_modules is found first, as on AWS, where /var/runtime/node_modules is a fallback.
    bundled = {
        "index.mjs": 'import { marker } from "@aws-sdk/client-s3";\nexport const handler = async () => marker;\n',
        "node_modules/@aws-sdk/client-s3/package.json": '{"name": "@aws-sdk/client-s3", "main": "index.js"}',
        "node_modules/@aws-sdk/client-s3/index.js": 'exports.marker = "bundled";\n',
    }
    name = made.create(bundled, runtime="nodejs20.x", handler="index.handler")
    assert invoke(lam, name).payload == "bundled"


def test_an_es_module_imports_from_layers_which_come_before_the_runtimes_sdk(
    node_sdk: Path, made: Functions, lam: Any
) -> None:
    # NODE_PATH is searched by imports too, layers first: a layer's SDK replaces the runtime's, as on AWS.
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped({
        "nodejs/node_modules/greet/package.json": '{"name": "greet", "type": "module", "main": "index.js"}',
        "nodejs/node_modules/greet/index.js": "export const greet = (who) => `hello ${who}`;\n",
        "nodejs/node_modules/@aws-sdk/client-sqs/index.js": 'exports.marker = "layer";\n',
    })})["LayerVersionArn"]
    app = (
        'import { greet } from "greet";\nimport { marker } from "@aws-sdk/client-sqs";\n'
        'import { S3Client } from "@aws-sdk/client-s3";\n'
        "export const handler = async () => [greet('layers'), marker, typeof S3Client];\n"
    )
    name = made.create({"index.mjs": app}, runtime="nodejs20.x", handler="index.handler", Layers=[layer])
    result = invoke(lam, name)
    assert result.function_error is None, result.raw
    assert result.payload == ["hello layers", "layer", "function"]


def test_an_es_module_import_searches_only_the_node_path_folders_not_their_parents(made: Functions, lam: Any) -> None:
    # NODE_PATH names folders, not starting points of a node_modules lookup: a layer's node_modules at
    # its top (/opt/node_modules, beside /opt/nodejs) is on no search path, for an import as for require.
    layer = lam.publish_layer_version(LayerName=unique("layer"), Content={"ZipFile": zipped({
        "nodejs/node_modules/found/index.js": 'exports.where = "nodejs/node_modules";\n',
        "node_modules/astray/index.js": 'exports.where = "node_modules";\n',
    })})["LayerVersionArn"]
    app = (
        'const load = (name) => import(name).then((m) => m.where, (e) => e.code);\n'
        "export const handler = async () => [await load('found'), await load('astray')];\n"
    )
    name = made.create({"index.mjs": app}, runtime="nodejs20.x", handler="index.handler", Layers=[layer])
    result = invoke(lam, name)
    assert result.function_error is None, result.raw
    assert result.payload == ["nodejs/node_modules", "ERR_MODULE_NOT_FOUND"]
