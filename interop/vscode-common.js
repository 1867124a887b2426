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

module.exports = { exitAfter, collectingLogger, outcome };
