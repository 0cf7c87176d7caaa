// Drives pocketcloud's Lambda with the AWS SDK for JavaScript v3 (rest-json, blob payloads):
// an execution role from IAM, CreateFunction from a zip built here, waiting for Active,
// Invoke (RequestResponse with a log tail, a raising handler, Event), an alias,
// ListFunctions and a missing function. Prints one JSON document of what it saw;
// tests/services/awslambda/test_js_client.py checks it. Usage: POCKETCLOUD_ENDPOINT=... node lambda_client.mjs
import { crc32 } from "node:zlib";

import { CreateRoleCommand, DeleteRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateAliasCommand,
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetAliasCommand,
  GetFunctionCommand,
  InvokeCommand,
  LambdaClient,
  ListFunctionsCommand,
  ResourceNotFoundException,
  waitUntilFunctionActiveV2,
} from "@aws-sdk/client-lambda";

import { clientConfig, failure, unique } from "./support.mjs";

// A zip archive of stored (uncompressed) files: local headers, then the central directory.
function zip(files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by Unix, so the mode below is read
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const HANDLER = `
import json

def handler(event, context):
    print("js-sdk saw", json.dumps(event))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"echo": event, "requestId": context.aws_request_id, "arn": context.invoked_function_arn}
`;

const iam = new IAMClient(clientConfig());
const lambda = new LambdaClient(clientConfig());
const send = (command) => lambda.send(command);
const encode = (value) => new TextEncoder().encode(JSON.stringify(value));
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));
const out = {};

const trust = { Version: "2012-10-17", Statement: [{
  Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
const role = await iam.send(new CreateRoleCommand({
  RoleName: unique("js-lambda"), AssumeRolePolicyDocument: JSON.stringify(trust),
}));

const FunctionName = unique("js-fn");
const created = await send(new CreateFunctionCommand({
  FunctionName, Runtime: "python3.12", Role: role.Role.Arn, Handler: "app.handler",
  Code: { ZipFile: zip({ "app.py": HANDLER }) }, Timeout: 10, MemorySize: 128,
  Environment: { Variables: { ORIGIN: "node" } }, Publish: true,
}));
out.created = { name: created.FunctionName, arn: created.FunctionArn, runtime: created.Runtime,
                version: created.Version, codeSize: created.CodeSize, state: created.State ?? null };

const waited = await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
                                               { FunctionName });
out.waited = waited.state;
const fn = await send(new GetFunctionCommand({ FunctionName }));
out.got = { state: fn.Configuration.State, env: fn.Configuration.Environment.Variables,
            codeLocation: typeof fn.Code.Location };

const ok = await send(new InvokeCommand({ FunctionName, Payload: encode({ hello: "js" }), LogType: "Tail" }));
out.invoke = { status: ok.StatusCode, functionError: ok.FunctionError ?? null, payload: decode(ok.Payload),
               payloadIsBytes: ok.Payload instanceof Uint8Array, version: ok.ExecutedVersion,
               log: Buffer.from(ok.LogResult, "base64").toString() };

const bad = await send(new InvokeCommand({ FunctionName, Payload: encode({ fail: true }), LogType: "Tail" }));
out.failed = { status: bad.StatusCode, functionError: bad.FunctionError ?? null, payload: decode(bad.Payload),
               log: Buffer.from(bad.LogResult, "base64").toString() };

const event = await send(new InvokeCommand({ FunctionName, InvocationType: "Event", Payload: encode({ async: 1 }) }));
out.event = { status: event.StatusCode, payloadLength: event.Payload?.length ?? 0 };

const dryRun = await send(new InvokeCommand({ FunctionName, InvocationType: "DryRun" }));
out.dryRun = dryRun.StatusCode;

const alias = await send(new CreateAliasCommand({ FunctionName, Name: "live", FunctionVersion: "1" }));
out.alias = { name: alias.Name, version: alias.FunctionVersion, arn: alias.AliasArn };
out.gotAlias = (await send(new GetAliasCommand({ FunctionName, Name: "live" }))).FunctionVersion;
const viaAlias = await send(new InvokeCommand({ FunctionName, Qualifier: "live", Payload: encode({ via: "alias" }) }));
out.viaAlias = { status: viaAlias.StatusCode, version: viaAlias.ExecutedVersion, arn: decode(viaAlias.Payload).arn };

const names = [];
let Marker;
do {
  const page = await send(new ListFunctionsCommand({ Marker, MaxItems: 50 }));
  names.push(...page.Functions.map((f) => f.FunctionName));
  Marker = page.NextMarker;
} while (Marker);
out.listed = names.includes(FunctionName);

const missing = unique("js-missing");
out.missing = await failure(send(new GetFunctionCommand({ FunctionName: missing })), ResourceNotFoundException);
out.missingInvoke = await failure(send(new InvokeCommand({ FunctionName: missing, Payload: encode({}) })),
                                  ResourceNotFoundException);
out.missingName = missing;

await send(new DeleteFunctionCommand({ FunctionName }));
out.deleted = await failure(send(new GetFunctionCommand({ FunctionName })), ResourceNotFoundException);
await iam.send(new DeleteRoleCommand({ RoleName: role.Role.RoleName }));

console.log(JSON.stringify(out));
