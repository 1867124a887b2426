// BrowserClientIT's scenarios: calls the demo server through courier.js over WebSocket and over HTTP, and
// POSTs every outcome to /report as {"results": {name: {"ok": value} | {"error": {...}}, "ms": n}}.
// Any failure to run at all is reported as {"fatal": "..."}, so that the test never waits for nothing.
(function () {
  "use strict";
  var reported = false;

  function report(body) {
    if (reported) {
      return;
    }
    reported = true;
    fetch("/report", { method: "POST", body: JSON.stringify(body) });
  }

  window.addEventListener("error", function (e) {
    report({ fatal: "error: " + e.message + " (" + (e.filename || "?") + ":" + e.lineno + ")" });
  });
  window.addEventListener("unhandledrejection", function (e) {
    report({ fatal: "unhandled rejection: " + (e.reason && e.reason.stack || e.reason) });
  });

  function describe(e) {
    return {
      name: e && e.name,
      message: e && e.message,
      code: e && e.code,
      data: e && e.data,
      status: e && e.status,
      isError: e instanceof Error,
      isRpcError: typeof Courier !== "undefined" && e instanceof Courier.RpcError,
    };
  }

  function describeOutcomes(outcomes) {
    return outcomes.map(function (o) {
      return "error" in o ? { error: describe(o.error) } : { result: o.result };
    });
  }

  async function scenarios(results) {
    async function record(name, run) {
      var start = performance.now();
      try {
        var value = await run();
        results[name] = { ok: value === undefined ? null : value };
      } catch (e) {
        results[name] = { error: describe(e) };
      }
      results[name].ms = Math.round(performance.now() - start);
    }

    var transports = [["ws", "ws://" + window.courierAddress + "/ws"], ["http", "http://" + window.courierAddress + "/rpc"]];
    for (var i = 0; i < transports.length; i++) {
      var t = transports[i][0];
      var url = transports[i][1];
      var c = Courier.connect(url, { timeoutMs: 10000 });
      await record(t + ".positional", () => c.call("add", [2, 3]));
      await record(t + ".named", () => c.call("subtract", { subtrahend: 23, minuend: 42 }));
      await record(t + ".echo", () => c.call("echo", [{ a: [1, "two", null, true], b: { c: 1.5 } }]));
      await record(t + ".notification", () => c.notify("notify_hello", [7]));
      await record(t + ".afterNotification", () => c.call("add", [40, 2]));
      await record(t + ".batch", () => c.batch([
        { method: "add", params: [1, 2] },
        { method: "no_such_method" },
        { method: "fail", params: ["in a batch"] },
        { method: "get_data" },
      ]).then(describeOutcomes));
      await record(t + ".fail", () => c.call("fail", ["boom"]));
      await record(t + ".notFound", () => c.call("no_such_method", []));
      // The sleep's reply comes last over WebSocket: replies are matched by id, not by order.
      await record(t + ".concurrent", () => Promise.all([c.call("sleep", [300]), c.call("add", [1, 1]), c.call("echo", ["z"])]));

      if (t === "ws") {
        await record(t + ".serverNotification", () => {
          var tick = new Promise((resolve, reject) => {
            var off = c.on("tick", (params) => {
              off();
              resolve(params);
            });
            setTimeout(() => reject(new Error("no tick notification within 5 s")), 5000);
          });
          return Promise.all([tick, c.call("watch")]);
        });
        // A subscription asking for two items at a time: every item, in order, then completion.
        await record(t + ".subscribe", () => {
          var items = [];
          return c.subscribe("count", [5], (item) => items.push(item), { demand: 2 }).done.then(() => items);
        });
        // The server calls this client back: courier.js serves nothing, so the callback's error comes back.
        await record(t + ".callback", () => c.call("callback", ["greet", ["page"]]));
      }

      // The server sees the cancellation (over WebSocket, $/cancelRequest) and tells the test.
      var quick = Courier.connect(url, { timeoutMs: 300 });
      await record(t + ".timeout", () => quick.call("wait_for_cancel"));
      await record(t + ".afterTimeout", () => quick.call("add", [1, 2]));
      quick.close();

      var withToken = Courier.connect(url, { timeoutMs: 10000, token: "browser-token" });
      await record(t + ".token", () => withToken.call("whoami"));
      withToken.close();

      var closing = Courier.connect(url, { timeoutMs: 10000 });
      await record(t + ".closed", () => {
        var pending = closing.call("sleep", [3000]);
        setTimeout(() => closing.close(), 200);
        return pending;
      });
      await record(t + ".afterClose", () => closing.call("add", [1, 2]));
      c.close();
    }
    // The page's own server answers 503 here: an HTTP status the client must report as such.
    await record("http.status", () => Courier.connect(location.origin + "/status/503", { timeoutMs: 10000 })
        .call("add", [1, 2]));
  }

  window.addEventListener("load", async function () {
    if (typeof Courier === "undefined") {
      report({ fatal: "Courier is not defined: http://" + window.courierAddress + "/courier.js did not load" });
      return;
    }
    var results = {};
    try {
      await scenarios(results);
      report({ results: results });
    } catch (e) {
      report({ fatal: "scenarios threw: " + (e && e.stack || e), results: results });
    }
  });
})();
