'use strict';
// jayson (https://github.com/tedeh/jayson) as a JSON-RPC server that is not Courier, for the courier command's tests.
//
//   node jayson-server.js tcp|http
//
// Listens on 127.0.0.1 on a free port and prints that port as its first line of output, then serves until killed.
// Methods: add(a, b), echo(x), fail(message) (error 1000 with the message and data {"from": "jayson"}).

const jayson = require('jayson');

const transport = process.argv[2];
if (!['tcp', 'http'].includes(transport)) {
  process.stderr.write('usage: node jayson-server.js tcp|http\n');
  process.exit(64);
}

const server = new jayson.Server({
  add: (args, callback) => callback(null, args[0] + args[1]),
  echo: (args, callback) => callback(null, args[0]),
  fail: (args, callback) => callback({ code: 1000, message: String(args[0]), data: { from: 'jayson' } }),
});

const listener = transport === 'tcp' ? server.tcp() : server.http();
listener.listen(0, '127.0.0.1', () => {
  process.stdout.write(listener.address().port + '\n');
});
