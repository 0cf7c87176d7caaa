// What every service script shares: the client settings (endpoint from POCKETCLOUD_ENDPOINT,
// root credentials test/test, one attempt so a server error is never retried away) and a way
// to record an SDK error as the caller sees it. Not a test by itself.
export const endpoint = process.env.POCKETCLOUD_ENDPOINT;
export const rootCredentials = { accessKeyId: "test", secretAccessKey: "test" };
export const clientConfig = (credentials = rootCredentials) => ({
  endpoint, region: "us-east-1", credentials, maxAttempts: 1,
});

// The error a call failed with: the SDK's exception class name, the HTTP status, the message,
// the wire error code where the protocol carries one apart from the name (query protocol's
// <Code>, or SQS's x-amzn-query-error header), and whether the SDK mapped it to the modeled
// exception class (`modeled`: an instance of the class the client package exports).
export async function failure(promise, modeledClass = null) {
  try {
    await promise;
  } catch (error) {
    return {
      name: error.name,
      status: error.$metadata?.httpStatusCode ?? null,
      message: error.message,
      code: error.Error?.Code ?? null,
      fault: error.$fault ?? null,
      modeled: modeledClass ? error instanceof modeledClass : null,
    };
  }
  return { name: null, status: null, message: "the call succeeded" };
}

export const unique = (prefix) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
