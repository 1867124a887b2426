'use strict';
// jayson (https://github.com/tedeh/jayson) as a client of a Courier demo server.
//
//   node jayson-client.js HOST PORT tcp|http
//
// Makes a fixed set of calls, one after another, and prints ONE JSON line: {"transport": ..., "cases": {...}}, each
// case holding what came back (result or error code/message/data, whether the reply's id matched, and over HTTP the
// status code). Exit status: 0 when every call got an answer (error replies included), 1 on a transport failure
// (connection refused or reset, a non-2xx HTTP status, an unparsable reply), 2 when the whole run takes over 10 s,
// 64 on bad usage. ForeignClientInteropIT runs it and checks the line.
//
// jayson's TCP client opens one connection per request, writes the request followed by "\n" (its `delimiter`
// option, default "\n") and reads the reply up to the next "\n": newline-delimited JSON, which Courier detects and
// answers in kind. It half-closes right after a notification, without waiting for anything.

const jayson = require('jayson');

const OVERALL_TIMEOUT_MS = 10000;

const [host, portText, transport] = process.argv.slice(2);
const port = Number(portText);
if (!host || !Number.isInteger(port) || port <= 0 || port > 65535 || !['tcp', 'http'].includes(transport)) {
  process.stderr.write('usage: node jayson-client.js HOST PORT tcp|http\n');
  process.exit(64);
}

setTimeout(() => {
  process.stderr.write(`jayson-client: no finish within ${OVERALL_TIMEOUT_MS} ms (${transport} ${host}:${port})\n`);
  process.exit(2);
}, OVERALL_TIMEOUT_MS);

const options = { host, port, timeout: OVERALL_TIMEOUT_MS };
// Over HTTP: POST /rpc, Content-Type "application/json; charset=utf-8"; node 20's default agent keeps the connection
// alive between calls. rootClient posts the same way to "/".
const client = transport === 'tcp' ? jayson.client.tcp(options) : jayson.client.http({ ...options, path: '/rpc' });
const rootClient = transport === 'tcp' ? null : jayson.client.http({ ...options, path: '/' });

// The HTTP status of the latest response (calls are made one at a time, so it is the current call's).
let lastStatus = null;
for (const c of [client, rootClient].filter(Boolean)) {
  c.on('http response', (res) => {
    lastStatus = res.statusCode;
  });
}

/** Sends a request object (or batch array) built by client.request, resolves with the raw response. */
function send(request, via = client) {
  lastStatus = null;
  return new Promise((resolve, reject) => {
    // A two-argument callback gets the whole response (or undefined for a notification), unsugared.
    via.request(request, (err, response) => {
      if (err) {
        reject(err);
      } else {
        resolve(response);
      }
    });
  });
}

/** What one reply object says, in a form the test can compare exactly. */
function summarize(request, reply) {
  const out = request === null ? { jsonrpc: reply.jsonrpc, id: reply.id }
    : { jsonrpc: reply.jsonrpc, idMatches: reply.id === request.id };
  if ('error' in reply) {
    out.error = { code: reply.error.code, message: reply.error.message };
    if ('data' in reply.error) {
      out.error.data = reply.error.data;
    }
  }
  if ('result' in reply) {
    out.result = reply.result;
  }
  return out;
}

function withStatus(summary) {
  return transport === 'http' ? { status: lastStatus, ...summary } : summary;
}

async function call(method, params, id, via = client) {
  const request = via.request(method, params, id);
  const response = await send(request, via);
  if (response === undefined || response === null) {
    return withStatus({ noReply: true });
  }
  return withStatus(summarize(request, response));
}

async function notify(method, params) {
  const request = client.request(method, params, null); // id null: a notification (no "id" member is sent)
  const response = await send(request);
  return withStatus(response === undefined || response === null ? { noReply: true } : { unexpectedReply: response });
}

async function batch(requests) {
  const response = await send(requests);
  if (response === undefined || response === null) {
    return withStatus({ noReply: true });
  }
  if (!Array.isArray(response)) {
    return withStatus({ notAnArray: response });
  }
  const byId = new Map(requests.filter((r) => r.id !== undefined && r.id !== null).map((r) => [r.id, r]));
  return withStatus({ replies: response.map((reply) => summarize(null, reply)), requestIds: [...byId.keys()] });
}

const UNICODE = { text: 'héllo, 世界 ✓ "quoted" \\ back\nslash', list: [1, 2.5, -3e-7, null, true, false], empty: {} };
const BIG = 'x'.repeat(100000);

async function main() {
  const cases = {};
  // jayson's default ids are random UUID strings: the reply's id must be that same string.
  cases.positional = await call('add', [2, 3]);
  cases.named = await call('subtract', { subtrahend: 23, minuend: 42 });
  cases.numericId = await call('add', [40, 2], 7);
  cases.unicodeEcho = await call('echo', [UNICODE]);
  cases.unicodeEchoEqual = JSON.stringify(cases.unicodeEcho.result) === JSON.stringify(UNICODE);
  const big = await call('echo', [BIG]);
  cases.bigEcho = { ...big, result: undefined, resultLength: typeof big.result === 'string' ? big.result.length : null,
    resultEqual: big.result === BIG };
  cases.notification = await notify('notify_hello', [7]);
  cases.fail = await call('fail', ['boom']);
  cases.methodNotFound = await call('no_such_method', [1]);
  cases.wrongParamType = await call('add', ['two', 3]);
  cases.batch = await batch([
    client.request('add', [1, 2], 'b1'),
    client.request('notify_sum', [1, 2], null),
    client.request('subtract', { minuend: 10, subtrahend: 4 }, 'b2'),
    client.request('no_such_method', [], 'b3'),
  ]);
  if (transport === 'http') {
    // A batch of notifications only: nothing to answer, so an empty 2xx (jayson reads it as "no reply").
    cases.notificationBatch = await batch([
      client.request('notify_hello', [1], null),
      client.request('notify_sum', [2, 3], null),
    ]);
    cases.rootPath = await call('add', [20, 22], undefined, rootClient);
  }
  cases.afterAll = await call('get_data', []);
  return cases;
}

main().then(
  (cases) => {
    process.stdout.write(JSON.stringify({ client: 'jayson', transport, cases }) + '\n', () => process.exit(0));
  },
  (err) => {
    process.stderr.write(`jayson-client: transport failure (${transport} ${host}:${port}): ${err && err.stack || err}`
      + (err && err.code !== undefined ? ` [code ${err.code}]` : '') + '\n');
    process.exit(1);
  },
);
