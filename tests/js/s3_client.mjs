// Drives pocketcloud's S3 with the AWS SDK for JavaScript v3 (no botocore anywhere):
// path-style PutObject/GetObject (a buffer and a stream), ListObjectsV2, HeadObject and a
// multipart upload through @aws-sdk/lib-storage. Prints one JSON document of what it saw;
// tests/services/s3/test_clients.py checks it. Usage: S3_ENDPOINT=... S3_BUCKET=... node s3_client.mjs
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";

import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";

const Bucket = process.env.S3_BUCKET;
const client = new S3Client({
  endpoint: process.env.S3_ENDPOINT,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
  maxAttempts: 1,
});
const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const out = { wire: {} };
// Remember how each PutObject travelled: plain, or aws-chunked with a trailing checksum.
client.middlewareStack.add((next, context) => async (args) => {
  if (context.commandName === "PutObjectCommand") {
    const h = args.request.headers;
    out.wire[args.input.Key] = { payload: h["x-amz-content-sha256"], encoding: h["content-encoding"] ?? null,
                                 trailer: h["x-amz-trailer"] ?? null };
  }
  return next(args);
}, { step: "finalizeRequest", name: "recordWire" });

await client.send(new CreateBucketCommand({ Bucket }));

const small = Buffer.from("hello from the JavaScript SDK v3 \u00fc");
out.smallPut = await client.send(new PutObjectCommand({
  Bucket, Key: "js/small.txt", Body: small, ContentType: "text/plain", Metadata: { origin: "node" },
}));
const got = await client.send(new GetObjectCommand({ Bucket, Key: "js/small.txt" }));
out.smallGet = { body: await got.Body.transformToString(), contentType: got.ContentType, metadata: got.Metadata,
                 etag: got.ETag };

// A stream of known length: the SDK sends it aws-chunked with a checksum trailer.
const pieces = [Buffer.alloc(70000, 1), Buffer.alloc(70000, 2), Buffer.alloc(1234, 3)];
const streamed = Buffer.concat(pieces);
out.streamPut = await client.send(new PutObjectCommand({
  Bucket, Key: "js/stream.bin", Body: Readable.from(pieces), ContentLength: streamed.length,
}));
const streamGot = await client.send(new GetObjectCommand({ Bucket, Key: "js/stream.bin", ChecksumMode: "ENABLED" }));
out.streamSha = { sent: sha256(streamed), got: sha256(await streamGot.Body.transformToByteArray()) };

// CRC32C, computed by the SDK and sent as a trailer; reading it back with ChecksumMode makes
// the SDK validate the server's stored checksum against the bytes it receives.
const crcPut = await client.send(new PutObjectCommand({
  Bucket, Key: "js/crc32c.bin", Body: Readable.from(pieces), ContentLength: streamed.length, ChecksumAlgorithm: "CRC32C",
}));
const crcGot = await client.send(new GetObjectCommand({ Bucket, Key: "js/crc32c.bin", ChecksumMode: "ENABLED" }));
out.crc32c = { put: crcPut.ChecksumCRC32C, got: crcGot.ChecksumCRC32C,
               sha: sha256(await crcGot.Body.transformToByteArray()) };

const big = randomBytes(12 * 1024 * 1024 + 4321);
const upload = new Upload({ client, params: { Bucket, Key: "js/big.bin", Body: big }, partSize: 5 * 1024 * 1024, queueSize: 2 });
const done = await upload.done();
out.bigUpload = { etag: done.ETag, sha: sha256(big), size: big.length };
const head = await client.send(new HeadObjectCommand({ Bucket, Key: "js/big.bin" }));
out.bigHead = { etag: head.ETag, length: head.ContentLength };
const bigGot = await client.send(new GetObjectCommand({ Bucket, Key: "js/big.bin" }));
out.bigGetSha = sha256(await bigGot.Body.transformToByteArray());

const list = await client.send(new ListObjectsV2Command({ Bucket, Prefix: "js/" }));
out.listed = list.Contents.map((o) => [o.Key, o.Size, o.ETag]);

for (const key of ["smallPut", "streamPut"]) delete out[key].$metadata;
console.log(JSON.stringify(out));
