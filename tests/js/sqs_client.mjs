// Drives pocketcloud's SQS with the AWS SDK for JavaScript v3 over the JSON protocol. The SDK
// checks MD5OfMessageBody (and the attributes' MD5 it is given) against what it sent or
// received, and throws on a mismatch. Prints one JSON document of what it saw;
// tests/services/sqs/test_js_client.py checks it. Usage: POCKETCLOUD_ENDPOINT=... node sqs_client.mjs
import {
  BatchEntryIdsNotDistinct,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TagQueueCommand,
  UntagQueueCommand,
} from "@aws-sdk/client-sqs";

import { clientConfig, failure, unique } from "./support.mjs";

const client = new SQSClient(clientConfig());
const send = (command) => client.send(command);
const strip = ({ $metadata, ...rest }) => rest;
const out = {};

const name = unique("js-sqs");
const { QueueUrl } = await send(new CreateQueueCommand({
  QueueName: name, Attributes: { VisibilityTimeout: "45" }, tags: { team: "js" },
}));
out.queueUrl = QueueUrl;
out.gotUrl = (await send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;

const fifoName = `${name}.fifo`;
const fifo = await send(new CreateQueueCommand({
  QueueName: fifoName, Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" },
}));
out.fifoUrl = fifo.QueueUrl;

// Every attribute data type, including a custom type suffix; the SDK checks the MD5s it gets back.
const attributes = {
  color: { DataType: "String", StringValue: "blue \u00fc" },
  count: { DataType: "Number", StringValue: "42" },
  price: { DataType: "Number.euros", StringValue: "3.50" },
  raw: { DataType: "Binary", BinaryValue: Uint8Array.from([0, 1, 2, 250, 255]) },
};
const body = "hello from the JavaScript SDK v3 \u00fc \ud83d\ude80";
out.sent = strip(await send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: attributes })));
out.traced = strip(await send(new SendMessageCommand({
  QueueUrl: fifo.QueueUrl, MessageBody: "traced", MessageGroupId: "g0",
  MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793" } },
})));

const batch = await send(new SendMessageBatchCommand({
  QueueUrl,
  Entries: [
    { Id: "a", MessageBody: "batch a", MessageAttributes: { n: { DataType: "Number", StringValue: "1" } } },
    { Id: "b", MessageBody: "batch b", DelaySeconds: 0 },
  ],
}));
out.batch = { successful: batch.Successful.map((e) => e.Id).sort(), failed: batch.Failed ?? [],
              md5s: batch.Successful.map((e) => [e.Id, e.MD5OfMessageBody, e.MD5OfMessageAttributes ?? null]) };

const fifoSent = await send(new SendMessageCommand({ QueueUrl: fifo.QueueUrl, MessageBody: "first", MessageGroupId: "g1" }));
out.fifoSent = { sequence: typeof fifoSent.SequenceNumber, md5: fifoSent.MD5OfMessageBody };

// Receive all three, with every system attribute and every message attribute.
const received = [];
for (let i = 0; i < 5 && received.length < 3; i++) {
  const got = await send(new ReceiveMessageCommand({
    QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
    MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"],
  }));
  received.push(...(got.Messages ?? []));
}
const first = received.find((m) => m.Body === body);
out.received = {
  bodies: received.map((m) => m.Body).sort(),
  first: {
    md5: first.MD5OfBody,
    md5Attributes: first.MD5OfMessageAttributes,
    attributes: Object.fromEntries(Object.entries(first.MessageAttributes).map(([k, v]) => [
      k, { DataType: v.DataType, StringValue: v.StringValue ?? null,
           BinaryValue: v.BinaryValue ? Array.from(v.BinaryValue) : null },
    ])),
    binaryIsBytes: first.MessageAttributes.raw.BinaryValue instanceof Uint8Array,
    system: Object.keys(first.Attributes).sort(),
    receiveCount: first.Attributes.ApproximateReceiveCount,
    sentTimestampIsDigits: /^\d+$/.test(first.Attributes.SentTimestamp),
  },
};

const fifoGot = await send(new ReceiveMessageCommand({
  QueueUrl: fifo.QueueUrl, MessageSystemAttributeNames: ["All"], MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
}));
const fifoMessage = fifoGot.Messages.find((m) => m.Body === "first");
const tracedMessage = fifoGot.Messages.find((m) => m.Body === "traced");
out.tracedReceived = tracedMessage.Attributes.AWSTraceHeader;
out.fifoReceived = { body: fifoMessage.Body, group: fifoMessage.Attributes.MessageGroupId,
                     dedup: fifoMessage.Attributes.MessageDeduplicationId,
                     sequence: fifoMessage.Attributes.SequenceNumber === fifoSent.SequenceNumber };

out.changedVisibility = (await send(new ChangeMessageVisibilityCommand({
  QueueUrl, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 0,
}))).$metadata.httpStatusCode;

const deleted = await send(new DeleteMessageBatchCommand({
  QueueUrl, Entries: received.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
}));
out.deletedBatch = { successful: deleted.Successful.length, failed: deleted.Failed ?? [] };

const attrs = await send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
out.attributes = { visibility: attrs.Attributes.VisibilityTimeout, arn: attrs.Attributes.QueueArn,
                   names: Object.keys(attrs.Attributes).sort() };
const fifoAttrs = await send(new GetQueueAttributesCommand({
  QueueUrl: fifo.QueueUrl, AttributeNames: ["FifoQueue", "ContentBasedDeduplication"],
}));
out.fifoAttributes = fifoAttrs.Attributes;

const listed = await send(new ListQueuesCommand({ QueueNamePrefix: name }));
out.listed = listed.QueueUrls.slice().sort();

await send(new TagQueueCommand({ QueueUrl, Tags: { env: "test" } }));
await send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team"] }));
out.tags = (await send(new ListQueueTagsCommand({ QueueUrl }))).Tags;

out.duplicateIds = await failure(send(new SendMessageBatchCommand({
  QueueUrl, Entries: [{ Id: "same", MessageBody: "1" }, { Id: "same", MessageBody: "2" }],
})), BatchEntryIdsNotDistinct);
out.tooMany = await failure(send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })));
out.missing = await failure(send(new GetQueueUrlCommand({ QueueName: `${name}-missing` })), QueueDoesNotExist);

await send(new SendMessageCommand({ QueueUrl, MessageBody: "to be purged" }));
out.purged = (await send(new PurgeQueueCommand({ QueueUrl }))).$metadata.httpStatusCode;
const afterPurge = await send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
out.afterPurge = afterPurge.Messages ?? [];

await send(new DeleteQueueCommand({ QueueUrl }));
await send(new DeleteQueueCommand({ QueueUrl: fifo.QueueUrl }));
out.deletedMissing = await failure(send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] })),
                                   QueueDoesNotExist);

console.log(JSON.stringify(out));
