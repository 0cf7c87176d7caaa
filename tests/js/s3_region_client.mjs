// S3 Region handling as the AWS SDK for JavaScript v3 sees it: a bucket in eu-west-1 reached by a
// client configured for us-east-1, with and without `followRegionRedirects` (the SDK must parse
// pocketcloud's AuthorizationHeaderMalformed / bare HEAD 400 and retry in eu-west-1), and presigned
// URLs from @aws-sdk/s3-request-presigner sent through Node's fetch. Prints one JSON document;
// tests/services/s3/test_js_region.py checks it. Usage: POCKETCLOUD_ENDPOINT=... node s3_region_client.mjs
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

import { endpoint, rootCredentials, unique } from "./support.mjs";

const Bucket = unique("jsregion");
const s3 = (region, extra = {}) =>
  new S3Client({ endpoint, region, credentials: rootCredentials, forcePathStyle: true, maxAttempts: 1, ...extra });
const eu = s3("eu-west-1");
const following = s3("us-east-1", { followRegionRedirects: true });
const strict = s3("us-east-1");
const out = { bucket: Bucket };

// The error as the caller sees it, with the Region where the SDK exposes it.
async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return {
      name: error.name,
      status: error.$metadata?.httpStatusCode ?? null,
      message: error.message,
      region: error.Region ?? null,
      bucketRegion: error.$response?.headers?.["x-amz-bucket-region"] ?? null,
    };
  }
  return { name: null, status: null, message: "the call succeeded" };
}

// A fetch answer: status, body, and the S3 error code and message when it is an XML error.
async function fetched(url, init = {}) {
  const response = await fetch(url, init);
  const body = await response.text();
  const tag = (name) => body.match(new RegExp(`<${name}>([^<]*)</${name}>`))?.[1] ?? null;
  return { status: response.status, body, code: tag("Code"), message: tag("Message"), region: tag("Region") };
}

await eu.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
await eu.send(new PutObjectCommand({ Bucket, Key: "k.txt", Body: "hello eu" }));

// followRegionRedirects: each call as the caller sees it (its result, or the error it failed with).
const attempt = async (call) => {
  try {
    return { ok: await call() };
  } catch (error) {
    return { error: { name: error.name, status: error.$metadata?.httpStatusCode ?? null } };
  }
};
await eu.send(new PutObjectCommand({ Bucket, Key: "gone.txt", Body: "x" }));
out.follow = {
  put: await attempt(async () => (await following.send(new PutObjectCommand({ Bucket, Key: "k.txt", Body: "hello eu" }))).ETag),
  get: await attempt(async () => (await following.send(new GetObjectCommand({ Bucket, Key: "k.txt" }))).Body.transformToString()),
  head: await attempt(async () => (await following.send(new HeadObjectCommand({ Bucket, Key: "k.txt" }))).ContentLength),
  headBucket: await attempt(async () => (await following.send(new HeadBucketCommand({ Bucket }))).BucketRegion ?? null),
  list: await attempt(async () => ((await following.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []).map((o) => o.Key)),
  delete: await attempt(async () => (await following.send(new DeleteObjectCommand({ Bucket, Key: "gone.txt" }))).$metadata.httpStatusCode),
};

// Without it: the error S3 sends.
out.strict = {
  get: await failure(strict.send(new GetObjectCommand({ Bucket, Key: "k.txt" }))),
  put: await failure(strict.send(new PutObjectCommand({ Bucket, Key: "no.txt", Body: "x" }))),
  head: await failure(strict.send(new HeadObjectCommand({ Bucket, Key: "k.txt" }))),
  headBucket: await failure(strict.send(new HeadBucketCommand({ Bucket }))),
};

// Presigned URLs. By default the SDK bakes the CRC32 of the (absent, so empty) body into a
// presigned PutObject URL, which S3 then holds the real body to; WHEN_REQUIRED leaves it out.
const presigner = s3("eu-west-1", { requestChecksumCalculation: "WHEN_REQUIRED" });
const presign = (client, command, options = {}) => getSignedUrl(client, command, { expiresIn: 300, ...options });
const putUrl = await presign(presigner, new PutObjectCommand({ Bucket, Key: "presigned.txt" }));
out.presignedPut = await fetched(putUrl, { method: "PUT", body: "via a presigned PUT" });
out.presignedGet = await fetched(await presign(presigner, new GetObjectCommand({ Bucket, Key: "presigned.txt" })));
const emptyCrcUrl = await presign(eu, new PutObjectCommand({ Bucket, Key: "crc.txt" }));
out.emptyCrc = { query: new URL(emptyCrcUrl).searchParams.get("x-amz-checksum-crc32"),
                 put: await fetched(emptyCrcUrl, { method: "PUT", body: "not empty" }) };
out.wrongRegion = await fetched(await presign(strict, new GetObjectCommand({ Bucket, Key: "k.txt" })));
const expiring = await presign(presigner, new GetObjectCommand({ Bucket, Key: "k.txt" }), { expiresIn: 1 });
await new Promise((resolve) => setTimeout(resolve, 2000));
out.expired = await fetched(expiring);
const typedUrl = await presign(presigner, new PutObjectCommand({ Bucket, Key: "typed.json", ContentType: "application/json" }),
                               { signableHeaders: new Set(["content-type"]) });
out.typedSignedHeaders = new URL(typedUrl).searchParams.get("X-Amz-SignedHeaders");
out.typedWithout = await fetched(typedUrl, { method: "PUT", body: "{}", headers: { "content-type": "text/plain" } });
out.typedWith = await fetched(typedUrl, { method: "PUT", body: "{}", headers: { "content-type": "application/json" } });
out.typedHead = (await eu.send(new HeadObjectCommand({ Bucket, Key: "typed.json" }))).ContentType;

// Leave nothing behind.
for (const { Key } of (await eu.send(new ListObjectsV2Command({ Bucket }))).Contents ?? []) {
  await eu.send(new DeleteObjectCommand({ Bucket, Key }));
}
await eu.send(new DeleteBucketCommand({ Bucket }));
console.log(JSON.stringify(out));
