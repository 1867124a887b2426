'use strict';
// What the vscode-jsonrpc scripts share: a deadline for the whole run, a logger that collects what
// vscode-jsonrpc complains about (the tests check it is empty), and how one request's outcome is reported.

const rpc = require('vscode-jsonrpc/node');

/** Ends the process with status 2 when the run has not finished within `ms`, saying `what` on stderr. */
function exitAfter(ms, what) {
  return setTimeout(() => {
    process.stderr.write(`${what}: no finish within ${ms} ms\n`);
    process.exit(2);
  }, ms);
}

/** A vscode-jsonrpc logger that keeps its warnings and errors in `log`. */
function collectingLogger() {
  const log = [];
  const logger = {
    error: (m) => log.push(`error: ${m}`),
    warn: (m) => log.push(`warn: ${m}`),
    info: () => {},
    log: () => {},
  };
  return { log, logger };
}

/** The outcome of one request: {result} or {error: {code, message[, data]}}; a failed connection is rethrown. */
async function outcome(promise) {
  try {
    return { result: await promise };
  } catch (e) {
    if (e instanceof rpc.ResponseError) {
      const error = { code: e.code, message: e.message };
      if (e.data !== undefined) {
        error.data = e.data;
      }
      return { error };
    }
    throw e;
  }
}

/**
 * Reads HOST PORT from the command line of `script`, or exits with 64 and its usage; returns {host, port,
 * transportFailure}, the last ending the run with status 1 and a line that names the peer.
 */
function hostAndPort(script) {
  const [host, portText] = process.argv.slice(2);
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write(`usage: node ${script}.js HOST PORT\n`);
    process.exit(64);
  }
  const transportFailure = (what) => {
    process.stderr.write(`${script}: transport failure (${host}:${port}): ${what}\n`);
    process.exit(1);
  };
  return { host, port, transportFailure };
}

module.exports = { exitAfter, collectingLogger, outcome, hostAndPort };
