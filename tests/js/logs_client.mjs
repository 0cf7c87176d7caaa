// Drives pocketcloud's CloudWatch Logs with the AWS SDK for JavaScript v3 (JSON protocol):
// groups and streams, PutLogEvents, GetLogEvents from the head, FilterLogEvents with a
// pattern, DescribeLogGroups and the modeled errors. Prints one JSON document of what it saw;
// tests/services/logs/test_js_client.py checks it. Usage: POCKETCLOUD_ENDPOINT=... node logs_client.mjs
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  paginateGetLogEvents,
  PutRetentionPolicyCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
} from "@aws-sdk/client-cloudwatch-logs";

import { clientConfig, failure, unique } from "./support.mjs";

const client = new CloudWatchLogsClient(clientConfig());
const send = (command) => client.send(command);
const out = {};

const logGroupName = `/js/${unique("group")}`;
const logStreamName = "stream-1";
await send(new CreateLogGroupCommand({ logGroupName, tags: { team: "js" } }));
await send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: 7 }));
await send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
out.groupExists = await failure(send(new CreateLogGroupCommand({ logGroupName })), ResourceAlreadyExistsException);
out.streamExists = await failure(send(new CreateLogStreamCommand({ logGroupName, logStreamName })),
                                 ResourceAlreadyExistsException);

const now = Date.now();
const messages = ["INFO starting", "ERROR disk full on /dev/sda1", "INFO done \u00fc", "ERROR retry failed"];
const put = await send(new PutLogEventsCommand({
  logGroupName, logStreamName,
  logEvents: messages.map((message, i) => ({ timestamp: now - 1000 + i, message })),
}));
out.put = { rejected: put.rejectedLogEventsInfo ?? null, tokenType: typeof put.nextSequenceToken };

const got = await send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true }));
out.got = { messages: got.events.map((e) => e.message), timestamps: got.events.map((e) => e.timestamp - now),
            ingestionIsNumber: got.events.every((e) => typeof e.ingestionTime === "number"),
            forward: typeof got.nextForwardToken, backward: typeof got.nextBackwardToken };
// At the end of a stream GetLogEvents hands back the token it was given; that is what ends
// the SDK's paginator (with stopOnSameToken, as the API reference tells callers to check).
out.paged = [];
for await (const page of paginateGetLogEvents({ client, pageSize: 2, stopOnSameToken: true },
                                              { logGroupName, logStreamName, startFromHead: true })) {
  out.paged.push(page.events.map((e) => e.message));
  if (out.paged.length > 5) break;
}

const filtered = await send(new FilterLogEventsCommand({ logGroupName, filterPattern: "ERROR" }));
out.filtered = filtered.events.map((e) => [e.logStreamName, e.message]);
const termPair = await send(new FilterLogEventsCommand({ logGroupName, filterPattern: "\"disk full\"" }));
out.phrase = termPair.events.map((e) => e.message);

const groups = await send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
out.groups = groups.logGroups.map((g) => ({ name: g.logGroupName, arn: g.arn, retention: g.retentionInDays,
                                            created: typeof g.creationTime }));
const streams = await send(new DescribeLogStreamsCommand({ logGroupName }));
out.streams = streams.logStreams.map((s) => ({ name: s.logStreamName, first: s.firstEventTimestamp - now,
                                               last: s.lastEventTimestamp - now }));

const missingGroup = `${logGroupName}-missing`;
out.missingGroup = await failure(send(new CreateLogStreamCommand({ logGroupName: missingGroup, logStreamName })),
                                 ResourceNotFoundException);
out.missingStream = await failure(send(new GetLogEventsCommand({ logGroupName, logStreamName: "nope" })),
                                  ResourceNotFoundException);
out.missingPut = await failure(send(new PutLogEventsCommand({
  logGroupName, logStreamName: "nope", logEvents: [{ timestamp: now, message: "x" }] })), ResourceNotFoundException);

await send(new DeleteLogGroupCommand({ logGroupName }));
out.deletedGroup = await failure(send(new DeleteLogGroupCommand({ logGroupName })), ResourceNotFoundException);
out.logGroupName = logGroupName;

console.log(JSON.stringify(out));
