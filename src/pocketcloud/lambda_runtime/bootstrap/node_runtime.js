'use strict';
/*
 * The Node.js runtime inside an execution environment: AWS's Runtime API loop, Node's standard library only.
 *
 * Started as `node node_runtime.js` with the environment AWS sets (_HANDLER, LAMBDA_TASK_ROOT,
 * AWS_LAMBDA_RUNTIME_API, ...). It behaves as AWS's own Node.js runtime interface client does:
 * handlers are `file.export` (CommonJS, ES modules, nested exports), async or callback-style
 * (event, context, callback), the context has getRemainingTimeInMillis() and
 * callbackWaitsForEmptyEventLoop, errors are posted as {errorType, errorMessage, trace}, and
 * console.* calls are written as `<ISO time>\t<request id>\t<LEVEL>\t<message>` (or JSON records): each
 * one frame on AWS's telemetry log channel (`_LAMBDA_TELEMETRY_LOG_FD`) when Lambda gives one, else a
 * line of stdout with its newlines turned into \r, so one call stays one log event either way.
 * Response streaming handlers (the global `awslambda.streamifyResponse`, `awslambda.HttpResponseStream`)
 * are called as (event, responseStream, context); what they write is collected and posted whole once
 * the stream has ended, with the stream's content type and Lambda's streaming response mode.
 * ES module imports also search NODE_PATH (node_path_resolve.mjs, a resolve hook), as from nodejs18.x on.
 * This file must not require anything outside Node's standard library: it runs in the function's process.
 */

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { Writable } = require('stream');
const { pathToFileURL } = require('url');

const API_VERSION = '2018-06-01';
const [API_HOST, API_PORT] = (process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001').split(':');
// One kept-alive connection: the Runtime API is local and the loop is strictly sequential.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// -- errors, named as AWS's runtime names them ----------------------------------------------------

class RuntimeError extends Error {}
function runtimeError(name) {
  const cls = class extends RuntimeError {};
  Object.defineProperty(cls, 'name', { value: name }); // the errorType of a JSON record, as AWS names it
  cls.prototype.name = `Runtime.${name}`;
  return cls;
}
const ImportModuleError = runtimeError('ImportModuleError');
const HandlerNotFound = runtimeError('HandlerNotFound');
const MalformedHandlerName = runtimeError('MalformedHandlerName');
const UserCodeSyntaxError = runtimeError('UserCodeSyntaxError');
const NodeJsExit = runtimeError('NodeJsExit');
const MalformedStreamingHandler = runtimeError('MalformedStreamingHandler');
const InvalidStreamingOperation = runtimeError('InvalidStreamingOperation');
class UnhandledPromiseRejection extends runtimeError('UnhandledPromiseRejection') {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}

function isErrorLike(value) {
  return Boolean(value && typeof value.name === 'string' && typeof value.message === 'string' &&
    typeof value.stack === 'string' && value.name && value.message && value.stack);
}

/** The error document posted to the Runtime API. */
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isErrorLike(error)) {
      return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    }
    return { errorType: typeof error, errorMessage: error.toString(), trace: [] };
  } catch (_err) {
    return {
      errorType: 'handled',
      errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(value) {
  if (value instanceof Error) {
    const out = Object.assign({ errorType: value.name, errorMessage: value.message, code: value.code }, value);
    if (typeof value.stack === 'string') {
      out.stack = value.stack.split('\n');
    }
    return out;
  }
  return value;
}

/** The error as the runtime logs it: a tab, then JSON with name, message and stack. */
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_err) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

// -- logging ------------------------------------------------------------------------------------

let currentRequestId; // undefined outside an invocation, printed as "undefined" as AWS does

const jsonLogs = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';

// The telemetry frame type's low byte carries the level (AWS's TLV mask) and the format (the low bit:
// 1 text, 0 JSON), as AWS's Node.js runtime client writes it.
const LEVELS = {
  TRACE: { priority: 1, mask: 0b00100 },
  DEBUG: { priority: 2, mask: 0b01000 },
  INFO: { priority: 3, mask: 0b01100 },
  WARN: { priority: 4, mask: 0b10000 },
  ERROR: { priority: 5, mask: 0b10100 },
  FATAL: { priority: 6, mask: 0b11000 },
};
const TEXT_FRAME = 0xa55a0003;
const JSON_FRAME = 0xa55a0002;

/** An Error inside a JSON record, as AWS's runtime writes it: type, message, stack as lines, own fields. */
function errorAsJson(_key, value) {
  if (value instanceof Error) {
    return Object.assign({
      errorType: (value.constructor && value.constructor.name) || 'UnknownError',
      errorMessage: value.message,
      stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
    }, value);
  }
  return value;
}

/** One console call as a JSON log record (LoggingConfig LogFormat JSON), as AWS's runtime writes it. */
function jsonRecord(time, level, message, params) {
  const record = { timestamp: time, level, requestId: currentRequestId };
  if (params.length === 0) {
    // A lone value is the message as it is: an object stays an object, an Error becomes one.
    record.message = message;
    try {
      return JSON.stringify(record, errorAsJson);
    } catch (_err) {
      record.message = util.format(message);
      return JSON.stringify(record);
    }
  }
  record.message = util.format(message, ...params);
  const error = params.find((param) => param instanceof Error);
  if (error) {
    record.errorType = (error.constructor && error.constructor.name) || 'UnknownError';
    record.errorMessage = error.message;
    record.stackTrace = typeof error.stack === 'string' ? error.stack.split('\n') : [];
  }
  return JSON.stringify(record);
}

/** The telemetry log channel's descriptor when Lambda gives one, taken out of the function's sight. */
function takeTelemetryFd() {
  const fd = Number(process.env._LAMBDA_TELEMETRY_LOG_FD);
  delete process.env._LAMBDA_TELEMETRY_LOG_FD;
  return Number.isInteger(fd) && fd > 0 ? fd : undefined;
}

/**
 * Writes one record as one frame: type (4 bytes), length (4), timestamp in µs (8), message; big-endian.
 * Header and message go in one write (AWS's client makes two), so a record is one syscall.
 */
function frameWriter(fd) {
  return (type, date, text) => {
    const size = Buffer.byteLength(text, 'utf8');
    const frame = Buffer.allocUnsafe(16 + size);
    frame.writeUInt32BE(type >>> 0, 0);
    frame.writeUInt32BE(size, 4);
    frame.writeBigUInt64BE(BigInt(date.getTime()) * 1000n, 8);
    frame.write(text, 16, size, 'utf8');
    for (let written = 0; written < frame.length;) {
      written += fs.writeSync(fd, frame, written);
    }
  };
}

/**
 * The console.* writer for one level. On the telemetry channel a record is one frame, so one
 * CloudWatch event keeping its "\n"s (a text record ends with one, as AWS's does); on stdout a
 * record is one line, its "\n"s turned into "\r".
 */
function recordWriter(level, writeFrame) {
  const { mask } = LEVELS[level];
  if (jsonLogs) {
    return writeFrame
      ? (message, ...params) => {
        const date = new Date();
        writeFrame(JSON_FRAME | mask, date, jsonRecord(date.toISOString(), level, message, params));
      }
      : (message, ...params) => {
        process.stdout.write(jsonRecord(new Date().toISOString(), level, message, params) + '\n');
      };
  }
  return writeFrame
    ? (message, ...params) => {
      const date = new Date();
      writeFrame(TEXT_FRAME | mask, date,
        `${date.toISOString()}\t${currentRequestId}\t${level}\t${util.format(message, ...params)}\n`);
    }
    : (message, ...params) => {
      const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(message, ...params)}`;
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    };
}

function patchConsole() {
  const fd = takeTelemetryFd();
  const writeFrame = fd === undefined ? undefined : frameWriter(fd);
  const minimum = (LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || LEVELS.TRACE).priority;
  const writer = (level) => (LEVELS[level].priority < minimum ? () => {} : recordWriter(level, writeFrame));
  console.trace = writer('TRACE');
  console.debug = writer('DEBUG');
  console.info = writer('INFO');
  console.log = console.info;
  console.warn = writer('WARN');
  console.error = writer('ERROR');
  console.fatal = writer('FATAL');
}

/** An error the runtime reports (Invoke Error, Uncaught Exception, ...): one ERROR record. */
function logError(label, error) {
  if (jsonLogs) {
    console.error(intoError(error)); // the label is not part of a JSON record, as in AWS
    return;
  }
  console.error(label, toFormatted(intoError(error)));
}

// -- the Runtime API ----------------------------------------------------------------------------

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined || Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const request = http.request({
      host: API_HOST, port: Number(API_PORT), method, agent,
      path: `/${API_VERSION}/runtime/${route}`,
      headers: data === undefined ? headers : { ...headers, 'Content-Length': data.length },
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('socket', (socket) => socket.setNoDelay(true));
    request.on('error', reject);
    request.end(data);
  });
}

function serialize(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch (_err) {
    throw new Error('Unable to stringify response body');
  }
}

function postResponse(result, id, then) {
  let body;
  try {
    body = serialize(result);
  } catch (err) {
    postError(err, id, then);
    return;
  }
  call('POST', `invocation/${id}/response`, body, { 'Content-Type': 'application/json' }).then(then, fatal);
}

function postError(error, id, then) {
  const document = toRapidResponse(error);
  call('POST', `invocation/${id}/error`, JSON.stringify(document), {
    'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': document.errorType,
  }).then(then, fatal);
}

function postInitError(error, then) {
  const document = toRapidResponse(error);
  call('POST', 'init/error', JSON.stringify(document), {
    'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': document.errorType,
  }).then(then, () => process.exit(129));
}

function fatal(error) {
  process.stderr.write(`pocketcloud node runtime: lost the Runtime API: ${error}\n`);
  process.exit(1);
}

// -- response streaming (the global `awslambda`, as AWS's Node.js runtimes provide it) ------------

// The marks streamifyResponse puts on a handler: the same registry symbols AWS's runtime client reads.
const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const DEFAULT_STREAM_CONTENT_TYPE = 'application/octet-stream';
// A function URL reads a stream of this type as a JSON prelude (statusCode, headers, cookies), eight
// NUL bytes, then the body. JSON.stringify never writes a NUL, so the first eight mark the end of it.
const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const PRELUDE_DELIMITER = Buffer.alloc(8);

/**
 * The responseStream a streaming handler writes to: a Writable whose bytes are kept until it ends,
 * then posted as the invocation's response (Lambda's buffered form of a stream). As in AWS's client,
 * setContentType() is refused once something was written, a value that is no string or bytes is
 * written as its JSON, and a `_onBeforeFirstWrite` hook (HttpResponseStream.from) runs before the
 * first write.
 */
class ResponseStream extends Writable {
  constructor(highWaterMark) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    this.contentType = DEFAULT_STREAM_CONTENT_TYPE;
    this.chunks = [];
    this.started = false;
    this._onBeforeFirstWrite = undefined;
  }

  setContentType(contentType) {
    if (this.started) {
      throw new InvalidStreamingOperation('Cannot set content-type, too late.');
    }
    http.validateHeaderValue('Content-Type', contentType); // throws as AWS's setHeader would
    this.contentType = String(contentType);
  }

  _start() {
    if (!this.started) {
      this.started = true;
      const hook = this._onBeforeFirstWrite;
      if (typeof hook === 'function') {
        hook((piece) => super.write(piece));
      }
    }
  }

  write(chunk, encoding, callback) {
    const data = typeof chunk === 'string' || chunk instanceof Uint8Array ? chunk : JSON.stringify(chunk);
    if (!this.writableEnded) {
      this._start();
    }
    return super.write(data, encoding, callback);
  }

  end(chunk, encoding, callback) {
    if (typeof chunk === 'function') {
      [chunk, callback] = [undefined, chunk];
    } else if (typeof encoding === 'function') {
      [encoding, callback] = [undefined, encoding];
    }
    if (chunk !== undefined && chunk !== null) {
      this.write(chunk, encoding);
    } else if (!this.writableEnded) {
      this._start(); // an HTTP prelude with no body still carries its status and headers
    }
    return super.end(callback);
  }

  _write(chunk, _encoding, callback) {
    this.chunks.push(chunk);
    callback();
  }
}

class HttpResponseStream {
  /** Makes `stream` an HTTP integration response: the prelude's JSON and the delimiter go first. */
  static from(stream, prelude) {
    stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
    const metadata = JSON.stringify(prelude);
    stream._onBeforeFirstWrite = (write) => {
      write(metadata);
      write(PRELUDE_DELIMITER);
    };
    return stream;
  }
}

function defineGlobalAwsLambda() {
  const off = (process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA || '').toLowerCase();
  if (off === '1' || off === 'true') {
    return;
  }
  globalThis.awslambda = {
    streamifyResponse: (handler, options) => {
      handler[HANDLER_STREAMING] = STREAM_RESPONSE;
      if (options && typeof options.highWaterMark === 'number') {
        handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark, 10);
      }
      return handler;
    },
    HttpResponseStream,
  };
}

/** Whether a handler streams its response; any mark other than streamifyResponse's is refused. */
function isStreaming(handler) {
  const mark = handler[HANDLER_STREAMING];
  if (mark === undefined || mark === null || mark === false) {
    return false;
  }
  if (mark !== STREAM_RESPONSE) {
    throw new MalformedStreamingHandler('Only response streaming is supported.');
  }
  return true;
}

function highWaterMark(handler) {
  const value = parseInt(handler[HANDLER_HIGHWATERMARK], 10);
  return Number.isNaN(value) ? undefined : value;
}

/** The collected stream, posted whole in Lambda's streaming response mode with its content type. */
function postStream(stream, id, then) {
  call('POST', `invocation/${id}/response`, Buffer.concat(stream.chunks), {
    'Content-Type': stream.contentType, 'Lambda-Runtime-Function-Response-Mode': 'streaming',
  }).then(then, fatal);
}

// -- loading the handler (as AWS's UserFunction.load does) --------------------------------------

// ES module imports search NODE_PATH too, as in Lambda's nodejs18.x and later (the runtime's SDK, layers):
// Node itself does so only for require(). The resolve hook (node_path_resolve.mjs, through module.register,
// Node 18.19 and 20.6 on) runs in a worker thread that costs a cold start some 30 ms, so it is registered
// only when an ES module handler is about to be imported: a CommonJS handler does not pay for it (nor get
// NODE_PATH searched by an import() of its own).
let nodePathSearched = false;

function searchNodePath() {
  const nodePath = process.env.NODE_PATH;
  const { register } = require('module');
  if (!nodePathSearched && nodePath && typeof register === 'function') {
    register(pathToFileURL(path.join(__dirname, 'node_path_resolve.mjs')).href, { data: { nodePath } });
    nodePathSearched = true;
  }
}

function hasTypeModule(folder) {
  if (folder.endsWith('/node_modules')) {
    return false;
  }
  const manifest = path.join(folder, 'package.json');
  if (fs.existsSync(manifest)) {
    try {
      return JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module';
    } catch (_err) {
      return false;
    }
  }
  const parent = path.resolve(folder, '..');
  return parent === folder ? false : hasTypeModule(parent);
}

function tryRequire(file) {
  return fs.existsSync(file) ? require(file) : undefined;
}

async function tryImport(file) {
  if (!fs.existsSync(file)) {
    return undefined;
  }
  searchNodePath();
  return import(pathToFileURL(file).href);
}

async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  const extensionless = tryRequire(base);
  if (extensionless) {
    return extensionless;
  }
  const esm = hasTypeModule(path.dirname(base));
  if (!esm) {
    const cjs = tryRequire(base + '.js');
    if (cjs) {
      return cjs;
    }
  }
  const loaded = (esm && (await tryImport(base + '.js'))) || (await tryImport(base + '.mjs')) || tryRequire(base + '.cjs');
  if (loaded) {
    return loaded;
  }
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw new MalformedHandlerName(`'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) {
    throw new MalformedHandlerName('Bad handler');
  }
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, match[1]);
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new UserCodeSyntaxError(err);
    }
    if (err && err.code === 'MODULE_NOT_FOUND') {
      throw new ImportModuleError(err);
    }
    throw err;
  }
  const handler = match[2].split('.').reduce((object, key) => object && object[key], app);
  if (!handler) {
    throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new HandlerNotFound(`${fullHandler} is not a function`);
  }
  return handler;
}

// -- the invoke loop ----------------------------------------------------------------------------

let beforeExit = null;
const onFailure = {
  uncaughtException: (error) => postInitError(error, () => process.exit(129)),
  unhandledRejection: (error) => postInitError(error, () => process.exit(128)),
};

function jsonHeader(value) {
  if (!value) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (_err) {
    return undefined;
  }
}

function buildContext(id, headers, scheduleNext) {
  let completed = false;
  let finished = false;
  let waitForEmptyEventLoop = true;
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    completed = true;
    postResponse(result, id, scheduleNext);
  };
  const fail = (error) => {
    logError('Invoke Error', error);
    postError(error, id, scheduleNext);
  };
  const once = (fn) => (...args) => {
    if (!finished) {
      finished = true;
      fn(...args);
    }
  };
  const callback = once((error, result) => {
    beforeExit = null;
    if (error !== undefined && error !== null) {
      fail(error);
    } else if (!waitForEmptyEventLoop) {
      complete(result);
    } else {
      beforeExit = () => setImmediate(() => complete(result));
    }
  });
  const done = (error, result) => {
    beforeExit = null;
    if (error !== undefined && error !== null) {
      fail(error);
    } else {
      complete(result);
    }
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((error) => done(error === undefined || error === null ? 'handled' : error, null)),
    done: once(done),
    ...invokeData(id, headers),
  };
  return [callback, context, () => { completed = true; finished = true; }];
}

/** What a context tells of the function and of this invocation. */
function invokeData(id, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  return {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: jsonHeader(headers['lambda-runtime-client-context']),
    identity: jsonHeader(headers['lambda-runtime-cognito-identity']),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: id,
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/**
 * One invocation of a streaming handler, as AWS's client runs it: handler(event, responseStream,
 * context) must return a promise; the invocation is answered once that promise has resolved and the
 * stream has ended (what was written, whole), or failed by a throw, a rejection or a stream error.
 * As AWS's streaming context does, the next event is fetched at once, or when the event loop is
 * empty while callbackWaitsForEmptyEventLoop is true.
 */
function invokeStreaming(handler, event, id, headers, scheduleNext) {
  let waitForEmptyEventLoop = true;
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    ...invokeData(id, headers),
  };
  const stream = new ResponseStream(highWaterMark(handler));
  let answered = false;
  const next = () => {
    if (waitForEmptyEventLoop) {
      beforeExit = () => setImmediate(scheduleNext);
    } else {
      scheduleNext();
    }
  };
  const answer = (post) => {
    if (!answered) {
      answered = true;
      beforeExit = null;
      post();
    }
  };
  const fail = (error) => answer(() => {
    logError('Invoke Error', error);
    postError(error, id, next);
  });
  let settled = false;
  // The event loop ran dry before the invocation was answered: nothing is left that could end it.
  beforeExit = () => fail(settled
    ? new Error('Response stream is not finished.')
    : new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.'));
  stream.on('error', fail);
  let result;
  try {
    result = handler(event, stream, context);
  } catch (err) {
    fail(err);
    return;
  }
  if (!result || typeof result.then !== 'function') {
    fail('Streaming does not support non-async handlers.');
    return;
  }
  result.then((value) => {
    settled = true;
    if (value !== undefined) {
      console.warn('Streaming handlers ignore return values.');
    }
    const finished = () => answer(() => postStream(stream, id, next));
    if (stream.writableFinished) {
      finished();
    } else {
      stream.once('finish', finished);
    }
  }, fail);
}

function run(handler) {
  const isAsync = handler.constructor && handler.constructor.name === 'AsyncFunction';
  const streaming = isStreaming(handler);
  const scheduleNext = () => setImmediate(() => handleOnce().catch((err) => {
    console.log(`Unexpected Top Level Error: ${err.toString()}`);
    onFailure.uncaughtException(err);
  }));
  const handleOnce = async () => {
    const next = await call('GET', 'invocation/next');
    const headers = next.headers;
    const id = headers['lambda-runtime-aws-request-id'];
    currentRequestId = id;
    if (headers['lambda-runtime-trace-id']) {
      process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
    } else {
      delete process.env._X_AMZN_TRACE_ID;
    }
    onFailure.uncaughtException = (error) => postError(error, id, () => process.exit(129));
    onFailure.unhandledRejection = (error) => postError(error, id, () => process.exit(128));
    if (streaming) {
      let event;
      try {
        event = JSON.parse(next.body.toString('utf8') || 'null');
      } catch (err) {
        logError('Invoke Error', err);
        postError(err, id, scheduleNext);
        return;
      }
      invokeStreaming(handler, event, id, headers, scheduleNext);
      return;
    }
    const [callback, context, markCompleted] = buildContext(id, headers, scheduleNext);
    // A handler that neither returns a promise nor calls back ends when the event loop drains.
    beforeExit = () => {
      markCompleted();
      if (isAsync) {
        const error = new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.');
        logError('Invoke Error', error);
        postError(error, id, scheduleNext);
      } else {
        postResponse(null, id, scheduleNext);
      }
    };
    try {
      const result = handler(JSON.parse(next.body.toString('utf8') || 'null'), context, callback);
      if (result && typeof result.then === 'function') {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      callback(err);
    }
  };
  scheduleNext();
}

async function main() {
  patchConsole();
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    onFailure.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    onFailure.unhandledRejection(error);
  });
  process.on('beforeExit', () => {
    const listener = beforeExit;
    beforeExit = null;
    if (listener) {
      listener();
    }
  });
  const appRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    defineGlobalAwsLambda();
    handler = await loadHandler(appRoot, process.env._HANDLER || '');
    isStreaming(handler); // a malformed streaming mark fails the init
  } catch (err) {
    logError('Uncaught Exception', err);
    postInitError(err, () => process.exit(129));
    return;
  }
  run(handler);
}

main();
