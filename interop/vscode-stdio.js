'use strict';
// vscode-jsonrpc driving a Courier server that it LAUNCHES and talks to over the child's standard input and output,
// as an editor launches a language server: the LSP base protocol's framing on the child's pipes, requests both
// ways, and a subscription followed with plain notifications ($/demand out, $/items in, the call's response last).
//
//   node vscode-stdio.js JAVA CLASSPATH MAINCLASS
//
// Prints ONE JSON line: {"peer": "vscode-jsonrpc/stdio", "cases": {...}, "asked": [...], "log": [...]}. "asked" lists
// the questions the server sent here. Exit status: 0 when every call got an answer, 1 on a transport failure,
// 2 when the run takes over 20 s, 64 on bad usage. StdioInteropIT runs it and checks the line.

const cp = require('child_process');
const rpc = require('vscode-jsonrpc/node');
const common = require('./vscode-common');
const { outcome } = common;

const OVERALL_TIMEOUT_MS = 20000;

const [java, classpath, mainClass] = process.argv.slice(2);
if (!java || !classpath || !mainClass) {
  process.stderr.write('usage: node vscode-stdio.js JAVA CLASSPATH MAINCLASS\n');
  process.exit(64);
}

const child = cp.spawn(java, ['-cp', classpath, mainClass], { stdio: ['pipe', 'pipe', 'inherit'] });
setTimeout(() => {
  process.stderr.write(`vscode-stdio: no finish within ${OVERALL_TIMEOUT_MS} ms\n`);
  child.kill();
  process.exit(2);
}, OVERALL_TIMEOUT_MS);
child.on('error', (e) => {
  process.stderr.write(`vscode-stdio: cannot start ${java}: ${e.message}\n`);
  process.exit(1);
});

const { log, logger } = common.collectingLogger();
const connection = rpc.createMessageConnection(
  new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin), logger);

const asked = [];
connection.onRequest('host.confirm', (question) => {
  asked.push(question);
  return true;
});

/** Follows one subscription by hand: asks for two items at a time, collects them until the call is answered. */
function subscribe(method, ...params) {
  const items = [];
  let id;
  const done = new Promise((resolve, reject) => {
    connection.onNotification('$/items', (p) => {
      if (p.id !== id) {
        return;
      }
      items.push(...p.items);
      if (items.length % 2 === 0) {
        connection.sendNotification('$/demand', { id, n: 2 });
      }
    });
    const pending = connection.sendRequest(method, ...params);
    // vscode-jsonrpc numbers its requests 0, 1, 2, ...: this is the next one after those sent before.
    id = sent++;
    connection.sendNotification('$/demand', { id, n: 2 });
    pending.then(() => resolve(items), reject);
  });
  return done;
}

let sent = 0;

async function main() {
  connection.listen();
  const cases = {};
  // Several params go by position as they are; one that is not an object is wrapped in an array.
  cases.add = await outcome(connection.sendRequest('tools.add', 2, 3));
  sent++;
  cases.shout = await outcome(connection.sendRequest('tools.shout', 'hi'));
  sent++;
  cases.progress = await outcome(subscribe('tools.progress', 3));
  cases.unknown = await outcome(connection.sendRequest('tools.nothing'));
  sent++;
  process.stdout.write(JSON.stringify({ peer: 'vscode-jsonrpc/stdio', cases, asked, log }) + '\n');
  connection.dispose();
  child.stdin.end(); // the server's input ends: it stops, and the child exits
  child.on('exit', () => process.exit(0));
}

main().catch((e) => {
  process.stderr.write(`vscode-stdio: ${e.stack || e}\n`);
  process.exit(1);
});
