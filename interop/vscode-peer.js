'use strict';
// vscode-jsonrpc as a PEER of a Courier demo server: it connects over TCP with the LSP base protocol's framing
// ("Content-Length: N\r\n\r\n" then N bytes of JSON), serves methods of its own, and asks the demo's
// callback(method, params) to call them back on this very connection.
//
//   node vscode-peer.js HOST PORT
//
// Prints ONE JSON line: {"peer": "vscode-jsonrpc", "cases": {...}, "served": [...], "log": [...]}. Each case holds
// what `callback` answered, {result} or {error: {code, message[, data]}}; "served" lists the requests the server
// sent here, as "method(params)", in arrival order; "log" is whatever vscode-jsonrpc complained about. Exit status:
// 0 when every call got an answer (error replies included), 1 on a transport failure, 2 when the whole run takes
// over 10 s, 64 on bad usage. PeerInteropIT runs it and checks the line.

const net = require('net');
const rpc = require('vscode-jsonrpc/node');
const common = require('./vscode-common');
const { outcome } = common;

const OVERALL_TIMEOUT_MS = 10000;
/** The error `refuse` answers with: an application code outside the spec's reserved range. */
const REFUSED_CODE = 4242;

const { host, port, transportFailure } = common.hostAndPort('vscode-peer');

common.exitAfter(OVERALL_TIMEOUT_MS, `vscode-peer (${host}:${port})`);

const { log, logger } = common.collectingLogger();

async function main(connection) {
  const cases = {};
  // sendRequest(method, a, b) sends params [a, b]: callback's method name, and the params to call it with.
  cases.greet = await outcome(connection.sendRequest('callback', 'greet', ['node']));
  cases.refused = await outcome(connection.sendRequest('callback', 'refuse', ['too late']));
  cases.unknown = await outcome(connection.sendRequest('callback', 'no_such_method', []));
  return cases;
}

const served = [];
const socket = net.connect({ host, port });
socket.on('error', (e) => transportFailure(e.stack || String(e)));
socket.on('connect', () => {
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(socket),
    new rpc.StreamMessageWriter(socket), logger);
  let finished = false;
  // With params by position, vscode-jsonrpc spreads them over the handler's arguments (then a cancellation token).
  connection.onRequest('greet', (name) => {
    served.push(`greet(${JSON.stringify(name)})`);
    return `hello ${name}`;
  });
  connection.onRequest('refuse', (why) => {
    served.push(`refuse(${JSON.stringify(why)})`);
    return new rpc.ResponseError(REFUSED_CODE, `refused: ${why}`, { retry: false });
  });
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
      process.stdout.write(JSON.stringify({ peer: 'vscode-jsonrpc', cases, served, log }) + '\n',
        () => process.exit(0));
    },
    (e) => transportFailure(`${e.stack || e}; log: ${JSON.stringify(log)}`),
  );
});
