'use strict';
// vscode-jsonrpc (the Language Server Protocol's JSON-RPC library) as a client of a Courier demo server, over one
// TCP connection with the LSP base protocol's framing: "Content-Length: N\r\n\r\n" then N bytes of JSON.
//
//   node vscode-client.js HOST PORT
//
// Makes a fixed set of calls and prints ONE JSON line: {"client": "vscode-jsonrpc", "cases": {...}, "log": [...]},
// each case holding the result or the error's code/message/data; "log" is whatever vscode-jsonrpc complained about
// (a reply to a notification, an unknown id, a framing error...). Exit status: 0 when every call got an answer
// (error replies included), 1 on a transport failure (connection refused, closed or broken mid-run), 2 when the
// whole run takes over 10 s, 64 on bad usage. ForeignClientInteropIT runs it and checks the line.
//
// vscode-jsonrpc numbers its requests 0, 1, 2...: the first call has id 0.

const net = require('net');
const rpc = require('vscode-jsonrpc/node');
const common = require('./vscode-common');
const { outcome } = common;

const OVERALL_TIMEOUT_MS = 10000;

const { host, port, transportFailure } = common.hostAndPort('vscode-client');

common.exitAfter(OVERALL_TIMEOUT_MS, `vscode-client (${host}:${port})`);

const { log, logger } = common.collectingLogger();

const UNICODE = { text: 'héllo, 世界 ✓ "quoted" \\ back\nslash', list: [1, 2.5, -3e-7, null, true, false], empty: {} };
// Multi-byte characters: Content-Length counts bytes (300,000 here), not characters (100,000).
const BIG = 'é✓x'.repeat(33334).slice(0, 100000);

async function main(connection) {
  const cases = {};
  // sendRequest(method, a, b) sends params [a, b]; one object argument goes as named params.
  cases.positional = await outcome(connection.sendRequest('add', 2, 3)); // id 0
  cases.named = await outcome(connection.sendRequest('subtract', { minuend: 42, subtrahend: 23 }));
  cases.unicodeEcho = await outcome(connection.sendRequest('echo', rpc.ParameterStructures.byPosition, UNICODE));
  cases.unicodeEchoEqual = JSON.stringify(cases.unicodeEcho.result) === JSON.stringify(UNICODE);
  const big = await outcome(connection.sendRequest('echo', BIG));
  cases.bigEcho = { resultLength: typeof big.result === 'string' ? big.result.length : null, resultEqual: big.result === BIG,
    error: big.error };
  await connection.sendNotification('notify_hello', 7);
  cases.notification = { sent: true };
  cases.fail = await outcome(connection.sendRequest('fail', 'boom'));
  cases.methodNotFound = await outcome(connection.sendRequest('no_such_method', 1));
  cases.wrongParamType = await outcome(connection.sendRequest('add', 'two', 3));

  // Twenty calls in flight at once on the one connection; sleeps of decreasing length so replies come back out of
  // order and must be matched by id.
  const concurrent = [];
  for (let i = 0; i < 20; i++) {
    concurrent.push(i % 2 === 0 ? connection.sendRequest('add', i, 1000) : connection.sendRequest('sleep', (20 - i) * 5));
  }
  cases.concurrent = await Promise.all(concurrent);

  // Cancellation: vscode-jsonrpc sends {"method": "$/cancelRequest", "params": {"id": N}} and still waits for the
  // server's reply to the cancelled call.
  const source = new rpc.CancellationTokenSource();
  const started = Date.now();
  const sleeping = outcome(connection.sendRequest('sleep', 5000, source.token));
  setTimeout(() => source.cancel(), 200);
  cases.cancelled = await sleeping;
  cases.cancelled.elapsedUnder3s = Date.now() - started < 3000;

  cases.afterAll = await outcome(connection.sendRequest('get_data'));
  return cases;
}

const socket = net.connect({ host, port });
socket.on('error', (e) => transportFailure(e.stack || String(e)));
socket.on('connect', () => {
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(socket),
    new rpc.StreamMessageWriter(socket), logger);
  let finished = false;
  connection.onError(([error]) => log.push(`connection error: ${error && error.message}`));
  connection.onClose(() => {
    if (!finished) {
      transportFailure(`connection closed before the calls finished; log: ${JSON.stringify(log)}`);
    }
  });
  connection.onUnhandledNotification((n) => log.push(`unhandled notification from the server: ${JSON.stringify(n)}`));
  connection.listen();
  main(connection).then(
    (cases) => {
      finished = true;
      connection.dispose();
      socket.end();
      process.stdout.write(JSON.stringify({ client: 'vscode-jsonrpc', cases, log }) + '\n', () => process.exit(0));
    },
    (e) => transportFailure(`${e.stack || e}; log: ${JSON.stringify(log)}`),
  );
});
