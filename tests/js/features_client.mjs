// The AWS SDK for JavaScript v3 repository's own integration scenarios (features/s3/buckets.feature,
// objects.feature, managed_upload.feature and the SQS messages/queues features), replayed with the
// SDK v3 clients against pocketcloud. Each scenario records what its "Then" steps look at; the
// scenario runs inside its own try so one failure does not hide the rest.
// tests/services/test_js_sdk_features.py checks the result. Usage: POCKETCLOUD_ENDPOINT=... node features_client.mjs
import { createHash } from "node:crypto";
import { mkdtempSync, createReadStream, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsCommand,
  ListPartsCommand,
  PutBucketCorsCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketTaggingCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
  waitUntilBucketExists,
  waitUntilBucketNotExists,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

import { CreateRoleCommand, CreateUserCommand, DeleteRoleCommand, DeleteUserCommand, EntityAlreadyExistsException,
         IAMClient } from "@aws-sdk/client-iam";
import { CreateLogGroupCommand, CloudWatchLogsClient, DeleteLogGroupCommand, DescribeLogGroupsCommand,
         InvalidParameterException } from "@aws-sdk/client-cloudwatch-logs";
import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from "@aws-sdk/client-sts";
import { InvokeCommand, LambdaClient, ListFunctionsCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";

import { clientConfig, failure, unique } from "./support.mjs";

const only = process.env.FEATURES_ONLY ? new Set(process.env.FEATURES_ONLY.split(",")) : null;
const out = {};
const sizes = { empty: 0, small: 1024 * 1024, large: 20 * 1024 * 1024 };
const buffer = (size) => Buffer.alloc(sizes[size], "x");
const md5 = (data) => createHash("md5").update(data).digest("hex");
const files = mkdtempSync(join(tmpdir(), "pocketcloud-features-"));
const file = (size) => {
  const path = join(files, `${size}.bin`);
  writeFileSync(path, buffer(size));
  return path;
};
const waitParams = { maxWaitTime: 20, minDelay: 1, maxDelay: 1 };

const s3 = (extra = {}) => {
  const client = new S3Client({ ...clientConfig(), forcePathStyle: true, ...extra });
  // What the last request looked like on the wire (the path-style scenario looks at it).
  client.middlewareStack.add((next) => async (args) => {
    client.lastRequest = { hostname: args.request.hostname, path: args.request.path };
    return next(args);
  }, { step: "finalizeRequest", name: "recordRequest" });
  return client;
};
const client = s3();

async function scenario(name, body) {
  if (only && !only.has(name)) return;
  try {
    out[name] = await body();
  } catch (error) {
    out[name] = { thrown: { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode } };
  }
}

// "the object should (not) exist": HeadObject, and its ContentLength.
const head = async (c, Bucket, Key) => {
  try {
    const h = await c.send(new HeadObjectCommand({ Bucket, Key }));
    return { exists: true, length: h.ContentLength };
  } catch (error) {
    return { exists: false, name: error.name, status: error.$metadata?.httpStatusCode };
  }
};
const getObject = async (c, Bucket, Key) => {
  const got = await c.send(new GetObjectCommand({ Bucket, Key }));
  const bytes = Buffer.from(await got.Body.transformToByteArray());
  return { contentLength: got.ContentLength, text: sizes.large > bytes.length ? bytes.toString("utf8") : null,
           size: bytes.length, md5: md5(bytes) };
};
const crudBucket = async (c, Bucket, config) => {
  await c.send(new CreateBucketCommand({ Bucket, ...config }));
  const waited = await waitUntilBucketExists({ client: c, ...waitParams }, { Bucket });
  await c.send(new DeleteBucketCommand({ Bucket }));
  const gone = await waitUntilBucketNotExists({ client: c, ...waitParams }, { Bucket });
  return { exists: waited.state, gone: gone.state };
};

// ---- features/s3/buckets.feature ----
await scenario("crudClassic", () => crudBucket(client, unique("aws-sdk-js-integration")));
await scenario("crudRegional", () => crudBucket(s3({ region: "us-west-2" }), unique("aws-sdk-js-integration")));
await scenario("crudDotted", () => crudBucket(client, unique("aws-sdk-js.integration")));

const shared = unique("aws-sdk-js-shared");
await client.send(new CreateBucketCommand({ Bucket: shared }));

await scenario("cors", async () => {
  const Bucket = unique("cors");
  await client.send(new CreateBucketCommand({ Bucket }));
  await client.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{
    AllowedMethods: ["DELETE", "POST", "PUT"], AllowedOrigins: ["http://example.com"], AllowedHeaders: ["*"],
    ExposeHeaders: ["x-amz-server-side-encryption"], MaxAgeSeconds: 5000 }] } }));
  const { $metadata, ...got } = await client.send(new GetBucketCorsCommand({ Bucket }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return got;
});

await scenario("lifecycle", async () => {
  const Bucket = unique("lifecycle");
  await client.send(new CreateBucketCommand({ Bucket }));
  const put = await failure(client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: {
    Rules: [{ ID: "transition", Filter: { Prefix: "/" }, Status: "Enabled",
              Transitions: [{ Days: 0, StorageClass: "GLACIER" }] }] } })));
  const { $metadata, ...got } = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
  // The feature's own form: the prefix on the rule itself (deprecated, still taken), as the v2 SDK sent it.
  const putLegacy = await failure(client.send(new PutBucketLifecycleConfigurationCommand({ Bucket, LifecycleConfiguration: {
    Rules: [{ ID: "legacy", Prefix: "/", Status: "Enabled", Transitions: [{ Days: 0, StorageClass: "GLACIER" }] }] } })));
  const { $metadata: m2, ...gotLegacy } = await client.send(new GetBucketLifecycleConfigurationCommand({ Bucket }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return { put, got, putLegacy, gotLegacy };
});

await scenario("tagging", async () => {
  const Bucket = unique("tagging");
  await client.send(new CreateBucketCommand({ Bucket }));
  await client.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: "KEY", Value: "VALUE" }] } }));
  const got = await client.send(new GetBucketTaggingCommand({ Bucket }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return { tagSet: got.TagSet };
});

await scenario("locationEU", async () => {
  const Bucket = unique("aws-sdk-js-integration");
  await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: "EU" } }));
  const eu = s3({ region: "eu-west-1" });
  const waited = await waitUntilBucketExists({ client: eu, ...waitParams }, { Bucket });
  const loc = await eu.send(new GetBucketLocationCommand({ Bucket }));
  await eu.send(new DeleteBucketCommand({ Bucket }));
  return { exists: waited.state, location: loc.LocationConstraint };
});

await scenario("pathStyle", async () => {
  const Bucket = unique("aws-sdk-js-path");
  await client.send(new CreateBucketCommand({ Bucket }));
  await client.send(new PutObjectCommand({ Bucket, Key: "hello", Body: "abc" }));
  const got = await getObject(client, Bucket, "hello");
  const request = client.lastRequest;
  await client.send(new DeleteObjectCommand({ Bucket, Key: "hello" }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return { got, firstPathSegment: request.path.split("/")[1], hostHasBucket: request.hostname.includes(Bucket),
           bucket: Bucket };
});

await scenario("newRegionLargeObject", async () => {
  const Bucket = unique("aws-sdk-js-integration");
  const west = s3({ region: "us-west-2" });
  await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
  await west.send(new PutObjectCommand({ Bucket, Key: "largeobject", Body: buffer("large") }));
  const exists = await head(west, Bucket, "largeobject");
  await west.send(new DeleteObjectCommand({ Bucket, Key: "largeobject" }));
  await west.send(new DeleteBucketCommand({ Bucket }));
  return exists;
});

// ---- features/s3/objects.feature ----
await scenario("crudObjects", async () => {
  const steps = [];
  await client.send(new PutObjectCommand({ Bucket: shared, Key: "hello", Body: "world" }));
  steps.push(await head(client, shared, "hello"), (await getObject(client, shared, "hello")).text);
  await client.send(new PutObjectCommand({ Bucket: shared, Key: "hello", Body: "new world" }));
  steps.push(await head(client, shared, "hello"), (await getObject(client, shared, "hello")).text);
  await client.send(new DeleteObjectCommand({ Bucket: shared, Key: "hello" }));
  steps.push(await head(client, shared, "hello"));
  return steps;
});

await scenario("contentLength", async () => {
  const noChecksums = s3({ requestChecksumCalculation: "WHEN_REQUIRED" });
  await noChecksums.send(new PutObjectCommand({ Bucket: shared, Key: "contentlength", Body: "foo", ContentLength: 3 }));
  return { exists: await head(client, shared, "contentlength"), got: await getObject(client, shared, "contentlength") };
});

for (const [name, key, data] of [["multiByte", "multi", "åß∂ƒ©"], ["blank", "blank", ""],
                                 ["checksum", "checksummed_data", "SOME SAMPLE DATA"]]) {
  await scenario(name, async () => {
    await client.send(new PutObjectCommand({ Bucket: shared, Key: key, Body: data }));
    return { exists: await head(client, shared, key), got: await getObject(client, shared, key), sentMd5: md5(data) };
  });
}

await scenario("copy", async () => {
  await client.send(new PutObjectCommand({ Bucket: shared, Key: "hello", Body: "world" }));
  await client.send(new CopyObjectCommand({ Bucket: shared, Key: "byebye", CopySource: `/${shared}/hello` }));
  const result = { exists: await head(client, shared, "byebye"), got: await getObject(client, shared, "byebye") };
  await client.send(new DeleteObjectCommand({ Bucket: shared, Key: "byebye" }));
  return result;
});

for (const size of ["empty", "small", "large"]) {
  await scenario(`${size}Buffer`, async () => {
    const key = `${size}buffer`;
    await client.send(new PutObjectCommand({ Bucket: shared, Key: key, Body: buffer(size) }));
    const got = await getObject(client, shared, key);
    return { exists: await head(client, shared, key), contentLength: got.contentLength, size: got.size };
  });
  await scenario(`${size}File`, async () => {
    const key = `${size}file`;
    await client.send(new PutObjectCommand({ Bucket: shared, Key: key, Body: createReadStream(file(size)) }));
    const got = await getObject(client, shared, key);
    return { exists: await head(client, shared, key), contentLength: got.contentLength, size: got.size };
  });
}

// Since 3.729.0 the SDK signs the CRC32 of the (absent, so empty) body into a presigned PutObject URL,
// which S3 holds the body to; AWS's announcement (aws-sdk-js-v3#6810) names WHEN_REQUIRED for such URLs.
await scenario("presigned", async () => {
  const signer = s3({ requestChecksumCalculation: "WHEN_REQUIRED" });
  const putUrl = await getSignedUrl(signer, new PutObjectCommand({ Bucket: shared, Key: "presigned" }), { expiresIn: 3600 });
  const put = await fetch(putUrl, { method: "PUT", body: "PRESIGNED BODY CONTENTS" });
  const getUrl = await getSignedUrl(signer, new GetObjectCommand({ Bucket: shared, Key: "presigned" }), { expiresIn: 3600 });
  const got = await fetch(getUrl);
  return { putStatus: put.status, putBody: await put.text(), getStatus: got.status, body: await got.text() };
});

await scenario("presignedChecksum", async () => {
  const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: shared, Key: "hello-checksummed", Body: "CHECKSUMMED" }),
                                 { expiresIn: 3600 });
  const put = await fetch(url, { method: "PUT", body: "NOT CHECKSUMMED" });
  return { url: new URL(url).searchParams.toString(), status: put.status, body: await put.text(),
           exists: await head(client, shared, "hello-checksummed") };
});

// aws-sdk-js (v2) objects.feature @pagination: ten keys listed three at a time are four pages.
await scenario("pagination", async () => {
  const Bucket = unique("aws-sdk-js-pages");
  await client.send(new CreateBucketCommand({ Bucket }));
  for (let i = 0; i < 10; i++) await client.send(new PutObjectCommand({ Bucket, Key: `obj${i}`, Body: "data" }));
  const v2Pages = [];
  for await (const page of paginateListObjectsV2({ client, pageSize: 3 }, { Bucket })) {
    v2Pages.push(page.Contents.map((o) => o.Key));
  }
  const v1Pages = [];
  let Marker;
  do {
    const page = await client.send(new ListObjectsCommand({ Bucket, MaxKeys: 3, Marker }));
    v1Pages.push({ keys: page.Contents.map((o) => o.Key), truncated: page.IsTruncated, next: page.NextMarker ?? null });
    Marker = page.IsTruncated ? page.Contents.at(-1).Key : undefined;
  } while (Marker);
  for (let i = 0; i < 10; i++) await client.send(new DeleteObjectCommand({ Bucket, Key: `obj${i}` }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return { v2Pages, v1Pages };
});

// The "with an AES key" steps of objects.js: SSE-C, the SDK adding the key's MD5 itself. New buckets
// refuse SSE-C writes since April 2026 until their default encryption stops blocking it.
await scenario("sseC", async () => {
  const Bucket = unique("aws-sdk-js-ssec");
  await client.send(new CreateBucketCommand({ Bucket }));
  const sse = { SSECustomerAlgorithm: "AES256", SSECustomerKey: "aaaabbbbccccddddaaaabbbbccccdddd" };
  const blocked = await failure(client.send(new PutObjectCommand({ Bucket, Key: "aes", Body: "secret", ...sse })));
  await client.send(new PutBucketEncryptionCommand({ Bucket, ServerSideEncryptionConfiguration: { Rules: [{
    ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BlockedEncryptionTypes: { EncryptionType: ["NONE"] } }] } }));
  await client.send(new PutObjectCommand({ Bucket, Key: "aes", Body: "secret", ...sse }));
  const got = await client.send(new GetObjectCommand({ Bucket, Key: "aes", ...sse }));
  const result = { blocked: { name: blocked.name, status: blocked.status }, body: await got.Body.transformToString(),
                   algorithm: got.SSECustomerAlgorithm, keyMd5: got.SSECustomerKeyMD5,
                   without: await failure(client.send(new GetObjectCommand({ Bucket, Key: "aes" }))) };
  await client.send(new DeleteObjectCommand({ Bucket, Key: "aes" }));
  await client.send(new DeleteBucketCommand({ Bucket }));
  return result;
});

// ---- features/s3/managed_upload.feature (lib-storage's Upload is v3's managed upload) ----
const managed = async (key, body) => {
  const progress = [];
  const upload = new Upload({ client, params: { Bucket: shared, Key: key, Body: body } });
  upload.on("httpUploadProgress", (p) => progress.push(p.loaded));
  const done = await upload.done();
  const got = await getObject(client, shared, key);
  return { location: done.Location, key: done.Key, bucket: done.Bucket, etag: done.ETag, progress: progress.length,
           exists: await head(client, shared, key), size: got.size, md5: got.md5 };
};
for (const size of ["empty", "small", "large"]) {
  await scenario(`managed${size}Buffer`, () => managed(`${size}_upload_buffer`, buffer(size)));
  await scenario(`managed${size}Stream`, () => managed(`${size}_upload_stream`, createReadStream(file(size))));
}
await scenario("managedChecksum", async () => ({ ...(await managed("checksummed_upload", buffer("large"))),
                                                 sentMd5: md5(buffer("large")) }));

// "Resuming a partial upload": v3's Upload cannot resume, but with leavePartsOnError an aborted upload
// leaves its multipart upload and the parts it finished for ListParts to show.
await scenario("managedAbort", async () => {
  const Key = "partial_buffer";
  const upload = new Upload({ client, params: { Bucket: shared, Key, Body: buffer("large") }, queueSize: 1,
                              leavePartsOnError: true });
  const progress = [];
  upload.on("httpUploadProgress", (p) => {
    progress.push(p.part);
    if (progress.length === 1) upload.abort();
  });
  const error = await failure(upload.done());
  const uploads = (await client.send(new ListMultipartUploadsCommand({ Bucket: shared, Prefix: Key }))).Uploads ?? [];
  const parts = uploads.length === 1
    ? ((await client.send(new ListPartsCommand({ Bucket: shared, Key, UploadId: uploads[0].UploadId }))).Parts ?? [])
    : [];
  for (const { UploadId } of uploads) await client.send(new AbortMultipartUploadCommand({ Bucket: shared, Key, UploadId }));
  return { error: error.name, progress, uploads: uploads.map((u) => u.Key), parts: parts.map((p) => [p.PartNumber, p.Size]),
           exists: await head(client, shared, Key) };
});

// ---- features/sqs/messages.feature and queues.feature ----
const sqs = new SQSClient(clientConfig());
await scenario("sqsSend", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("aws-js-sdk") }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "HELLO" }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  return { messageId: sent.MessageId, md5: sent.MD5OfMessageBody, received: got.Messages?.map((m) => m.Body) };
});
await scenario("sqsBinary", async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: unique("aws-js-sdk") }));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "HELLO", MessageAttributes: {
    binary: { DataType: "Binary", BinaryValue: Buffer.from([1, 2, 3]) } } }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["binary"] }));
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  const attr = got.Messages?.[0]?.MessageAttributes?.binary;
  return { messageId: sent.MessageId, md5: sent.MD5OfMessageBody, body: got.Messages?.[0]?.Body,
           binary: attr ? Array.from(attr.BinaryValue).join(",") : null, dataType: attr?.DataType };
});
await scenario("sqsQueues", async () => {
  const created = [];
  for (let i = 0; i < 2; i++) created.push((await sqs.send(new CreateQueueCommand({ QueueName: unique("aws-js-sdk") }))).QueueUrl);
  const listed = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
  const deleted = [];
  while (created.length) {
    const QueueUrl = created.pop();
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    deleted.push(QueueUrl);
  }
  const after = (await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? [];
  return { allListed: deleted.every((u) => listed.includes(u)), goneAfter: deleted.every((u) => !after.includes(u)) };
});

// ---- features/iam/iam.feature ----
const iam = new IAMClient(clientConfig());
await scenario("iamUsers", async () => {
  const UserName = unique("js-test");
  const { User } = await iam.send(new CreateUserCommand({ UserName }));
  await iam.send(new DeleteUserCommand({ UserName }));
  return { arn: User.Arn, userName: User.UserName };
});
await scenario("iamRoles", async () => {
  const RoleName = unique("aws-sdk-js");
  const AssumeRolePolicyDocument = JSON.stringify({ Version: "2008-10-17", Statement: [
    { Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com"] }, Action: ["sts:AssumeRole"] }] });
  const { Role } = await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument }));
  await iam.send(new DeleteRoleCommand({ RoleName }));
  return { arn: Role.Arn };
});
await scenario("iamErrors", async () => {
  const UserName = unique("js-test-dupe");
  await iam.send(new CreateUserCommand({ UserName }));
  const dupe = await failure(iam.send(new CreateUserCommand({ UserName })), EntityAlreadyExistsException);
  await iam.send(new DeleteUserCommand({ UserName }));
  return dupe;
});

// ---- features/cloudwatchlogs/cloudwatchlogs.feature ----
const logs = new CloudWatchLogsClient(clientConfig());
await scenario("logGroups", async () => {
  const logGroupName = unique("aws-js-sdk");
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  const { logGroups } = await logs.send(new DescribeLogGroupsCommand({}));
  await logs.send(new DeleteLogGroupCommand({ logGroupName }));
  return { listed: logGroups.some((g) => g.logGroupName === logGroupName) };
});
await scenario("logsErrors", () => failure(logs.send(new CreateLogGroupCommand({ logGroupName: "" })),
                                           InvalidParameterException));

// ---- features/sts/sts.feature ----
const sts = new STSClient(clientConfig());
await scenario("callerIdentity", async () => {
  const { $metadata, ...identity } = await sts.send(new GetCallerIdentityCommand({}));
  return identity;
});
await scenario("stsErrors", () => failure(sts.send(new GetSessionTokenCommand({ DurationSeconds: 60 }))));

// ---- aws-sdk-js (v2) features/lambda/lambda.feature ----
const lambda = new LambdaClient(clientConfig());
await scenario("listFunctions", async () => ({ functions: Array.isArray((await lambda.send(new ListFunctionsCommand({}))).Functions) }));
await scenario("lambdaErrors", () => failure(lambda.send(new InvokeCommand({ FunctionName: "non-exist" })),
                                             ResourceNotFoundException));

console.log(JSON.stringify(out));
