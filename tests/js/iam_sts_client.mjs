// Drives pocketcloud's IAM and STS with the AWS SDK for JavaScript v3 (query protocol, XML
// responses parsed by the SDK's own parser): users, access keys, inline policies, roles,
// AssumeRole and GetCallerIdentity with the keys it handed out, the modeled errors, and
// IAM's default deny as an SQS call sees it. Prints one JSON document of what it saw;
// tests/services/iam/test_js_client.py checks it. Usage: POCKETCLOUD_ENDPOINT=... node iam_sts_client.mjs
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteConflictException,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  EntityAlreadyExistsException,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUsersCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

import { clientConfig, failure, unique } from "./support.mjs";

const iam = new IAMClient(clientConfig());
const sts = new STSClient(clientConfig());
const out = {};
const policy = (Action, Resource = "*") => JSON.stringify({
  Version: "2012-10-17", Statement: [{ Effect: "Allow", Action, Resource }],
});

out.rootIdentity = await sts.send(new GetCallerIdentityCommand({}));
delete out.rootIdentity.$metadata;

const UserName = unique("js-user");
const user = await iam.send(new CreateUserCommand({ UserName, Path: "/js/", Tags: [{ Key: "team", Value: "js" }] }));
out.user = { name: user.User.UserName, arn: user.User.Arn, path: user.User.Path,
             idPrefix: user.User.UserId.slice(0, 4), createDateIsDate: user.User.CreateDate instanceof Date };
out.duplicate = await failure(iam.send(new CreateUserCommand({ UserName })), EntityAlreadyExistsException);

const got = await iam.send(new GetUserCommand({ UserName }));
out.got = { name: got.User.UserName, arn: got.User.Arn, tags: got.User.Tags };
const listed = await iam.send(new ListUsersCommand({ PathPrefix: "/js/" }));
out.listed = listed.Users.map((u) => u.UserName).includes(UserName);
out.missingUser = await failure(iam.send(new GetUserCommand({ UserName: `${UserName}-missing` })),
                                NoSuchEntityException);

const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey;
out.key = { status: key.Status, idPrefix: key.AccessKeyId.slice(0, 4), secretLength: key.SecretAccessKey.length };
const userCredentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };

// No policy yet: IAM denies by default, and the SQS client sees AccessDenied.
out.userIdentity = (await new STSClient(clientConfig(userCredentials)).send(new GetCallerIdentityCommand({}))).Arn;
const userSqs = new SQSClient(clientConfig(userCredentials));
out.denied = await failure(userSqs.send(new ListQueuesCommand({})));

await iam.send(new PutUserPolicyCommand({
  UserName, PolicyName: "list-queues", PolicyDocument: policy(["sqs:ListQueues", "sts:AssumeRole"]) }));
const inline = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName: "list-queues" }));
out.inlinePolicy = JSON.parse(decodeURIComponent(inline.PolicyDocument));
out.allowedStatus = (await userSqs.send(new ListQueuesCommand({}))).$metadata.httpStatusCode;

out.deleteConflict = await failure(iam.send(new DeleteUserCommand({ UserName })), DeleteConflictException);

// A role the account's principals may assume: not the root user (AWS refuses), but the IAM user
// whose policy allows sts:AssumeRole; the session's credentials identify as the assumed role.
const RoleName = unique("js-role");
const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{
  Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
const role = (await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }))).Role;
out.role = { arn: role.Arn, idPrefix: role.RoleId.slice(0, 4) };
out.duplicateRole = await failure(iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust })),
                                  EntityAlreadyExistsException);
await iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: "sqs", PolicyDocument: policy("sqs:ListQueues") }));
out.missingPolicy = await failure(iam.send(new AttachRolePolicyCommand({
  RoleName, PolicyArn: "arn:aws:iam::000000000000:policy/js-does-not-exist" })), NoSuchEntityException);

const assume = { RoleArn: role.Arn, RoleSessionName: "js-session", DurationSeconds: 900 };
out.rootAssume = await failure(sts.send(new AssumeRoleCommand(assume)));
const assumed = await new STSClient(clientConfig(userCredentials)).send(new AssumeRoleCommand(assume));
out.assumed = { arn: assumed.AssumedRoleUser.Arn, idSuffix: assumed.AssumedRoleUser.AssumedRoleId.split(":")[1],
                keyPrefix: assumed.Credentials.AccessKeyId.slice(0, 4),
                expirationIsDate: assumed.Credentials.Expiration instanceof Date,
                secondsLeft: Math.round((assumed.Credentials.Expiration - Date.now()) / 1000) };
const sessionCredentials = { accessKeyId: assumed.Credentials.AccessKeyId,
                             secretAccessKey: assumed.Credentials.SecretAccessKey,
                             sessionToken: assumed.Credentials.SessionToken };
const sessionIdentity = await new STSClient(clientConfig(sessionCredentials)).send(new GetCallerIdentityCommand({}));
out.sessionIdentity = { arn: sessionIdentity.Arn, account: sessionIdentity.Account, userId: sessionIdentity.UserId };
out.sessionSqsStatus = (await new SQSClient(clientConfig(sessionCredentials)).send(new ListQueuesCommand({})))
  .$metadata.httpStatusCode;

// Cleanup in the order IAM requires, then the user is gone.
await iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: "sqs" }));
await iam.send(new DeleteRoleCommand({ RoleName }));
await iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName: "list-queues" }));
await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId }));
out.keysLeft = (await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata.length;
out.deleteUserStatus = (await iam.send(new DeleteUserCommand({ UserName }))).$metadata.httpStatusCode;
out.deletedUser = await failure(iam.send(new GetUserCommand({ UserName })), NoSuchEntityException);
out.userName = UserName;
out.roleName = RoleName;

console.log(JSON.stringify(out));
