'use strict';
// vscode-jsonrpc as a SERVER that calls its Courier client back: it listens on HOST (port 0, any free port) and
// serves each connection with the LSP base protocol's framing ("Content-Length: N\r\n\r\n" then N bytes of JSON).
//
//   node vscode-server.js HOST
//
// Its methods:
//   ask(name)   calls the client's clientGreet(name) with connection.sendRequest, notifies the client with
//               told({"name": name}), then answers "client said: " + what clientGreet answered (or the
//               clientGreet error's "code message", when it failed);
//   fail(why)   answers the error {code: 4243, message: "fail: " + why}.
//
// Prints the port it listens on as the FIRST line, as soon as it listens. When its one connection closes it
// prints ONE JSON line {"served": [...], "log": [...]} (what it was asked, what vscode-jsonrpc complained about)
// and exits 0. Exit status 2 when nothing has closed within 20 s, 64 on bad usage. PeerInteropIT runs it.

const net = require('net');
const rpc = require('vscode-jsonrpc/node');
const common = require('./vscode-common');

const OVERALL_TIMEOUT_MS = 20000;
const FAIL_CODE = 4243;

const [host] = process.argv.slice(2);
if (!host) {
  process.stderr.write('usage: node vscode-server.js HOST\n');
  process.exit(64);
}

setTimeout(() => {
  process.stderr.write(`vscode-server: no connection closed within ${OVERALL_TIMEOUT_MS} ms\n`);
  process.exit(2);
}, OVERALL_TIMEOUT_MS);

const { log, logger } = common.collectingLogger();
const served = [];

// One connection at a time is all the test needs; a second one would be a test going wrong, so it is refused.
const server = net.createServer({ maxConnections: 1 }, (socket) => {
  server.close();
  const connection = rpc.createMessageConnection(new rpc.StreamMessageReader(socket),
    new rpc.StreamMessageWriter(socket), logger);
  connection.onRequest('ask', async (name) => {
    served.push(`ask(${JSON.stringify(name)})`);
    let answer;
    try {
      answer = await connection.sendRequest('clientGreet', name);
    } catch (e) {
      if (!(e instanceof rpc.ResponseError)) {
        throw e;
      }
      answer = `${e.code} ${e.message}`;
    }
    await connection.sendNotification('told', { name });
    return `client said: ${answer}`;
  });
  connection.onRequest('fail', (why) => {
    served.push(`fail(${JSON.stringify(why)})`);
    return new rpc.ResponseError(FAIL_CODE, `fail: ${why}`);
  });
  connection.onError(([error]) => log.push(`connection error: ${error && error.message}`));
  connection.onUnhandledNotification((n) => log.push(`unhandled notification from the client: ${JSON.stringify(n)}`));
  connection.onClose(() => {
    process.stdout.write(JSON.stringify({ served, log }) + '\n', () => process.exit(0));
  });
  socket.on('error', (e) => log.push(`socket error: ${e.message}`));
  connection.listen();
});
server.on('error', (e) => {
  process.stderr.write(`vscode-server: cannot listen: ${e.stack || e}\n`);
  process.exit(1);
});
server.listen(0, host, () => process.stdout.write(`${server.address().port}\n`));
