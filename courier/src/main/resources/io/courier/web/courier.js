/*
 * courier.js: a small JSON-RPC 2.0 client for Courier servers, for browsers. No dependencies.
 *
 * A Courier server serves this file at GET /courier.js. Load it as a classic script; it defines the global
 * Courier (globalThis.Courier, and module.exports where a CommonJS `module` exists):
 *
 *   <script src="http://127.0.0.1:7070/courier.js"></script>
 *   <script>
 *     const client = Courier.connect("ws://127.0.0.1:7070/ws", { timeoutMs: 5000 });
 *     client.call("add", [2, 3]).then(sum => console.log(sum));          // 5
 *   </script>
 *
 * Courier.connect(url, options) returns a client. The URL's scheme picks the transport:
 *   ws://, wss://     one WebSocket; replies are matched to calls by id; the server may send notifications.
 *                     Calls made before the socket is open are queued and sent when it opens.
 *   http://, https:// one fetch POST (Content-Type: application/json) per call, notification or batch.
 *                     A page on another origin needs the server to allow it (RpcServerBuilder.corsOrigins).
 * options (all optional):
 *   timeoutMs  how long a call or batch may take, in milliseconds (default 30000; 0 = no timeout). Over
 *              WebSocket a call that times out is cancelled on the server with the notification
 *              {"jsonrpc":"2.0","method":"$/cancelRequest","params":{"id":<id>}}.
 *   token      a credential: sent over WebSocket as the first message, the notification
 *              {"jsonrpc":"2.0","method":"$/authenticate","params":{"token":"..."}}, and over HTTP as the
 *              header Authorization: Bearer <token>.
 *   headers    extra HTTP headers (an object), HTTP only.
 *   WebSocket  the WebSocket constructor to use (default: the global one), e.g. require("ws") in node.
 *
 * The client:
 *   call(method, params)    Promise of the result. params is an array (by position), an object (by name) or
 *                           omitted. Rejects with Courier.RpcError (code, message, data) when the server
 *                           answers with an error, Courier.TimeoutError after timeoutMs,
 *                           Courier.ConnectionClosedError when the connection closes or close() is called
 *                           (every pending call is rejected at once), and Courier.HttpError (status) when an
 *                           HTTP reply is not 2xx.
 *   notify(method, params)  Promise resolved once the notification is sent (over HTTP: once the server has
 *                           accepted it). The server does not answer notifications.
 *   batch([{method, params}, ...])
 *                           Promise of an array, in request order, with one outcome per call: {result: ...} or
 *                           {error: Courier.RpcError}. Rejects as call() does when the whole batch fails.
 *   on(method, handler)     Calls handler(params) for each notification `method` the server sends over the
 *                           WebSocket. Returns a function that removes the handler. (WebSocket only: over
 *                           HTTP the server cannot send anything, and on() throws.)
 *   subscribe(method, params, onItem, {demand})
 *                           Subscribes to a server method that returns a stream (a Flow.Publisher in Java):
 *                           onItem(item) is called for each item, in order. Returns {done, cancel}: done is a
 *                           Promise resolved when the stream completes and rejected (as call() rejects) when it
 *                           fails or the connection closes; cancel() ends it (done resolves). demand (default
 *                           16) is how many items it asks for at a time: it asks again as onItem consumes half
 *                           of them, so the server never sends more than that ahead. No timeout. WebSocket only.
 *   close()                 Closes the connection and rejects every pending call. Idempotent.
 *
 * Ids are increasing integers, one per call (batch items included); replies with an unknown id are ignored.
 * Requests the server sends this client are answered "method not found": it serves no methods.
 */
(function (root, factory) {
  "use strict";
  var Courier = factory(root);
  root.Courier = Courier;
  if (typeof module === "object" && module && module.exports) {
    module.exports = Courier;
  }
})(typeof globalThis !== "undefined" ? globalThis : this, function (root) {
  "use strict";

  var DEFAULT_TIMEOUT_MS = 30000;
  var CANCEL_METHOD = "$/cancelRequest";
  var DEMAND_METHOD = "$/demand";
  var ITEMS_METHOD = "$/items";
  var AUTHENTICATE_METHOD = "$/authenticate";
  var METHOD_NOT_FOUND = -32601;

  /** An error the server answered with: JSON-RPC's code, message and optional data. */
  class RpcError extends Error {
    constructor(code, message, data) {
      super(message);
      this.name = "RpcError";
      this.code = code;
      if (data !== undefined) {
        this.data = data;
      }
    }
  }

  /** A call or batch that got no reply within timeoutMs. */
  class TimeoutError extends Error {
    constructor(message) {
      super(message);
      this.name = "TimeoutError";
    }
  }

  /** The connection closed (or failed to open, or close() was called) before the reply came. */
  class ConnectionClosedError extends Error {
    constructor(message) {
      super(message);
      this.name = "ConnectionClosedError";
    }
  }

  /** An HTTP reply whose status is not 2xx. */
  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.name = "HttpError";
      this.status = status;
    }
  }

  function toRpcError(error) {
    if (error === null || typeof error !== "object") {
      return new RpcError(-32603, "malformed error in reply: " + JSON.stringify(error));
    }
    return new RpcError(error.code, String(error.message), error.data);
  }

  function checkMethod(method) {
    if (typeof method !== "string" || method === "") {
      throw new TypeError("method: " + JSON.stringify(method) + " (expected: a non-empty string)");
    }
  }

  function message(method, params, id) {
    checkMethod(method);
    var msg = { jsonrpc: "2.0", method: method };
    if (params !== undefined && params !== null) {
      if (typeof params !== "object") {
        throw new TypeError("params of " + method + ": " + JSON.stringify(params)
            + " (expected: an array, an object or nothing)");
      }
      msg.params = params;
    }
    if (id !== undefined) {
      msg.id = id;
    }
    return msg;
  }

  function checkBatch(calls) {
    if (!Array.isArray(calls) || calls.length === 0) {
      throw new TypeError("batch: " + JSON.stringify(calls) + " (expected: a non-empty array of {method, params})");
    }
  }

  /** Gives each call of a batch the client's next id: the messages to send, and their ids in order. */
  function numberBatch(client, calls) {
    checkBatch(calls);
    var ids = [];
    var messages = calls.map(function (c) {
      var id = client._nextId++;
      ids.push(id);
      return message(c.method, c.params, id);
    });
    return { ids: ids, messages: messages };
  }

  function outcome(reply) {
    return reply.error !== undefined ? { error: toRpcError(reply.error) } : { result: reply.result };
  }

  /** Runs fn, turning a synchronous throw into a rejected promise. */
  function promised(fn) {
    try {
      return fn();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  function timeoutOf(options) {
    var ms = options.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : Number(options.timeoutMs);
    if (!(ms >= 0)) {
      throw new TypeError("timeoutMs: " + options.timeoutMs + " (expected: >= 0)");
    }
    return ms;
  }

  // ---------------------------------------------------------------- WebSocket

  function WebSocketClient(url, options) {
    var Socket = options.WebSocket || root.WebSocket;
    if (typeof Socket !== "function") {
      throw new Error("courier: no WebSocket here; pass options.WebSocket");
    }
    this._url = url;
    this._timeoutMs = timeoutOf(options);
    this._nextId = 1;
    this._pending = new Map(); // id -> {settle(reply), fail(error)}
    this._streams = new Map(); // id of a subscribing call -> {item(item)}
    this._queue = []; // {text, ids (calls), onSent and onFail (notifications)} waiting for the socket to open
    this._handlers = new Map(); // method -> [handler]
    this._closedError = null;

    var self = this;
    this._socket = new Socket(url);
    if (options.token !== undefined) {
      this._queue.push({ text: JSON.stringify(message(AUTHENTICATE_METHOD, { token: String(options.token) })) });
    }
    this._socket.onopen = function () {
      var queued = self._queue;
      self._queue = [];
      queued.forEach(function (item) {
        self._send(item);
      });
    };
    this._socket.onmessage = function (event) {
      self._receive(event.data);
    };
    this._socket.onerror = function () {
      // Always followed by close, which reports.
    };
    this._socket.onclose = function (event) {
      var detail = "code " + event.code + (event.reason ? ", " + event.reason : "");
      self._shutDown(new ConnectionClosedError("courier: connection to " + url + " closed (" + detail + ")"));
    };
  }

  WebSocketClient.prototype.call = function (method, params) {
    var self = this;
    return promised(function () {
      var id = self._nextId++;
      var ids = [id];
      var text = JSON.stringify(message(method, params, id));
      return new Promise(function (resolve, reject) {
        var timer = self._startTimer(ids, "call " + method + " (id " + id + ")", reject);
        self._pending.set(id, {
          settle: function (reply) {
            clearTimeout(timer);
            if (reply.error !== undefined) {
              reject(toRpcError(reply.error));
            } else {
              resolve(reply.result);
            }
          },
          fail: function (error) {
            clearTimeout(timer);
            reject(error);
          },
        });
        self._enqueue({ text: text, ids: ids }, reject);
      });
    });
  };

  WebSocketClient.prototype.notify = function (method, params) {
    var self = this;
    return promised(function () {
      var text = JSON.stringify(message(method, params));
      return new Promise(function (resolve, reject) {
        self._enqueue({ text: text, onSent: resolve, onFail: reject }, reject);
      });
    });
  };

  WebSocketClient.prototype.batch = function (calls) {
    var self = this;
    return promised(function () {
      var numbered = numberBatch(self, calls);
      var ids = numbered.ids;
      var text = JSON.stringify(numbered.messages);
      return new Promise(function (resolve, reject) {
        var outcomes = new Array(ids.length);
        var left = ids.length;
        var timer = self._startTimer(ids, "batch (ids " + ids[0] + ".." + ids[ids.length - 1] + ")", reject);
        var fail = function (error) {
          clearTimeout(timer);
          ids.forEach(function (id) {
            self._pending.delete(id);
          });
          reject(error);
        };
        ids.forEach(function (id, i) {
          self._pending.set(id, {
            settle: function (reply) {
              outcomes[i] = outcome(reply);
              if (--left === 0) {
                clearTimeout(timer);
                resolve(outcomes);
              }
            },
            fail: fail,
          });
        });
        self._enqueue({ text: text, ids: ids }, fail);
      });
    });
  };

  WebSocketClient.prototype.on = function (method, handler) {
    checkMethod(method);
    if (typeof handler !== "function") {
      throw new TypeError("handler for " + method + ": " + handler + " (expected: a function)");
    }
    var list = this._handlers.get(method);
    if (!list) {
      this._handlers.set(method, (list = []));
    }
    list.push(handler);
    return function () {
      var i = list.indexOf(handler);
      if (i >= 0) {
        list.splice(i, 1);
      }
    };
  };

  WebSocketClient.prototype.close = function () {
    if (this._closedError === null) {
      this._shutDown(new ConnectionClosedError("courier: client closed"));
      this._socket.close(1000);
    }
  };

  WebSocketClient.prototype.subscribe = function (method, params, onItem, options) {
    var self = this;
    checkMethod(method);
    if (typeof onItem !== "function") {
      throw new TypeError("onItem for " + method + ": " + onItem + " (expected: a function)");
    }
    var demand = options && options.demand !== undefined ? options.demand : 16;
    if (!(Number.isInteger(demand) && demand > 0)) {
      throw new TypeError("demand: " + demand + " (expected: a positive integer)");
    }
    var id = this._nextId++;
    var consumed = 0; // items handed to onItem since the last $/demand
    var stream = {
      item: function (item) {
        try {
          onItem(item);
        } catch (e) {
          setTimeout(function () {
            throw e; // reported like any uncaught error; the stream goes on
          });
        }
        if (++consumed >= Math.ceil(demand / 2)) {
          self._enqueue({ text: JSON.stringify(message(DEMAND_METHOD, { id: id, n: consumed })) }, function () {});
          consumed = 0;
        }
      },
    };
    var done = new Promise(function (resolve, reject) {
      self._pending.set(id, {
        settle: function (reply) {
          self._streams.delete(id);
          if (reply.error !== undefined) {
            reject(toRpcError(reply.error));
          } else {
            resolve(undefined);
          }
        },
        fail: function (error) {
          self._streams.delete(id);
          reject(error);
        },
      });
      stream.cancelled = resolve;
    });
    this._streams.set(id, stream);
    this._enqueue({ text: JSON.stringify(message(method, params, id)), ids: [id] }, function () {});
    this._enqueue({ text: JSON.stringify(message(DEMAND_METHOD, { id: id, n: demand })) }, function () {});
    return {
      done: done,
      cancel: function () {
        if (self._streams.delete(id) && self._pending.delete(id)) {
          self._enqueue({ text: JSON.stringify(message(CANCEL_METHOD, { id: id })) }, function () {});
          stream.cancelled(undefined);
        }
      },
    };
  };

  /** Sends now if the socket is open, queues while it opens, and rejects once it is closed. */
  WebSocketClient.prototype._enqueue = function (item, reject) {
    if (this._closedError !== null) {
      var pending = item.ids && this._pending.get(item.ids[0]);
      if (pending) {
        pending.fail(this._closedError); // also stops the timer; a batch's fail forgets all its ids
        this._pending.delete(item.ids[0]);
      } else {
        reject(this._closedError);
      }
    } else if (this._socket.readyState === 1) {
      this._send(item);
    } else {
      this._queue.push(item);
    }
  };

  WebSocketClient.prototype._send = function (item) {
    this._socket.send(item.text);
    if (item.onSent) {
      item.onSent();
    }
  };

  /**
   * Rejects with a TimeoutError after timeoutMs unless cleared, forgetting the ids; cancels on the server
   * each id that was sent and is still unanswered.
   */
  WebSocketClient.prototype._startTimer = function (ids, what, reject) {
    var self = this;
    if (this._timeoutMs === 0) {
      return undefined;
    }
    return setTimeout(function () {
      var queued = self._queue.findIndex(function (item) {
        return item.ids === ids;
      });
      if (queued >= 0) {
        self._queue.splice(queued, 1);
      }
      ids.forEach(function (id) {
        if (self._pending.delete(id) && queued < 0 && self._socket.readyState === 1) {
          self._socket.send(JSON.stringify(message(CANCEL_METHOD, { id: id })));
        }
      });
      reject(new TimeoutError("courier: " + what + " timed out after " + self._timeoutMs + " ms"));
    }, this._timeoutMs);
  };

  WebSocketClient.prototype._receive = function (data) {
    if (typeof data !== "string") {
      if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
        data = new TextDecoder().decode(data);
      } else {
        return; // a Blob: Courier sends only text frames
      }
    }
    var parsed;
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      return;
    }
    (Array.isArray(parsed) ? parsed : [parsed]).forEach(this._dispatch, this);
  };

  WebSocketClient.prototype._dispatch = function (msg) {
    if (msg === null || typeof msg !== "object") {
      return;
    }
    if (msg.method === ITEMS_METHOD && (msg.id === undefined || msg.id === null)) {
      var stream = msg.params && this._streams.get(msg.params.id);
      if (stream && Array.isArray(msg.params.items)) {
        msg.params.items.forEach(stream.item);
      }
      return;
    }
    if (typeof msg.method === "string") {
      if (msg.id !== undefined && msg.id !== null) {
        // A request: this client serves none.
        this._socket.send(JSON.stringify({
          jsonrpc: "2.0", id: msg.id, error: { code: METHOD_NOT_FOUND, message: "Method not found" },
        }));
        return;
      }
      (this._handlers.get(msg.method) || []).slice().forEach(function (handler) {
        try {
          handler(msg.params);
        } catch (e) {
          setTimeout(function () {
            throw e; // reported like any uncaught error, without disturbing the other handlers
          });
        }
      });
      return;
    }
    var pending = this._pending.get(msg.id);
    if (pending) {
      this._pending.delete(msg.id);
      pending.settle(msg);
    }
  };

  WebSocketClient.prototype._shutDown = function (error) {
    if (this._closedError !== null) {
      return;
    }
    this._closedError = error;
    var queued = this._queue;
    this._queue = [];
    queued.forEach(function (item) {
      if (item.onFail) {
        item.onFail(error); // a notification never sent; calls are rejected below
      }
    });
    var pending = Array.from(this._pending.values());
    this._pending.clear();
    var failed = new Set();
    pending.forEach(function (p) {
      if (!failed.has(p.fail)) {
        failed.add(p.fail);
        p.fail(error);
      }
    });
  };

  // ---------------------------------------------------------------- HTTP

  function HttpClient(url, options) {
    if (typeof root.fetch !== "function") {
      throw new Error("courier: no fetch here");
    }
    this._url = url;
    this._timeoutMs = timeoutOf(options);
    this._nextId = 1;
    this._headers = Object.assign({ "Content-Type": "application/json" }, options.headers || {});
    if (options.token !== undefined) {
      this._headers.Authorization = "Bearer " + options.token;
    }
    this._inFlight = new Set(); // {abort(error)}
    this._closed = false;
  }

  HttpClient.prototype.call = function (method, params) {
    var self = this;
    return promised(function () {
      var id = self._nextId++;
      return self._post(message(method, params, id), "call " + method + " (id " + id + ")").then(function (reply) {
        if (Array.isArray(reply) || reply === null || typeof reply !== "object") {
          throw new Error("courier: unexpected reply to " + method + " (id " + id + "): " + JSON.stringify(reply));
        }
        if (reply.error !== undefined && (reply.id === id || reply.id === null || reply.id === undefined)) {
          throw toRpcError(reply.error);
        }
        if (reply.id !== id) {
          throw new Error("courier: reply to " + method + " has id " + JSON.stringify(reply.id) + ", expected " + id);
        }
        return reply.result;
      });
    });
  };

  HttpClient.prototype.notify = function (method, params) {
    var self = this;
    return promised(function () {
      return self._post(message(method, params), "notification " + method).then(function () {});
    });
  };

  HttpClient.prototype.batch = function (calls) {
    var self = this;
    return promised(function () {
      var numbered = numberBatch(self, calls);
      var ids = numbered.ids;
      var what = "batch (ids " + ids[0] + ".." + ids[ids.length - 1] + ")";
      return self._post(numbered.messages, what).then(function (reply) {
        if (!Array.isArray(reply)) {
          if (reply !== null && typeof reply === "object" && reply.error !== undefined) {
            throw toRpcError(reply.error); // the whole batch was refused
          }
          throw new Error("courier: unexpected reply to " + what + ": " + JSON.stringify(reply));
        }
        var byId = new Map();
        reply.forEach(function (r) {
          if (r !== null && typeof r === "object") {
            byId.set(r.id, r);
          }
        });
        return ids.map(function (id) {
          var r = byId.get(id);
          if (!r) {
            throw new Error("courier: the reply to " + what + " has no answer for id " + id);
          }
          return outcome(r);
        });
      });
    });
  };

  HttpClient.prototype.on = function (method) {
    throw new Error("courier: the server sends notifications (" + method + ") only over WebSocket; connect with ws://");
  };

  HttpClient.prototype.subscribe = function (method) {
    throw new Error("courier: a subscription (" + method + ") needs a connection that carries notifications: "
        + "connect with ws://");
  };

  HttpClient.prototype.close = function () {
    if (!this._closed) {
      this._closed = true;
      var error = new ConnectionClosedError("courier: client closed");
      Array.from(this._inFlight).forEach(function (request) {
        request.abort(error);
      });
    }
  };

  /** POSTs one message or batch; resolves with the parsed reply, or undefined when there is none (204). */
  HttpClient.prototype._post = function (body, what) {
    if (this._closed) {
      return Promise.reject(new ConnectionClosedError("courier: client closed"));
    }
    var self = this;
    var controller = new AbortController();
    var reason = null;
    var request = {
      abort: function (error) {
        if (reason === null) {
          reason = error;
          controller.abort();
        }
      },
    };
    this._inFlight.add(request);
    var timer = this._timeoutMs === 0 ? undefined : setTimeout(function () {
      request.abort(new TimeoutError("courier: " + what + " timed out after " + self._timeoutMs + " ms"));
    }, this._timeoutMs);
    var url = this._url;
    // The abort is raced explicitly too: a closed client's promise must reject at once even where the fetch
    // implementation is slow to notice the signal.
    var aborted = new Promise(function (resolve, reject) {
      controller.signal.addEventListener("abort", function () {
        reject(reason);
      });
    });
    var exchange = root.fetch(url, {
      method: "POST",
      headers: this._headers,
      body: JSON.stringify(body),
      signal: controller.signal,
    }).then(function (response) {
      return response.text().then(function (text) {
        if (!response.ok) {
          var statusText = response.statusText ? " " + response.statusText : "";
          throw new HttpError(response.status, "courier: HTTP " + response.status + statusText + " from " + url
              + " for " + what + (text ? ": " + text.slice(0, 200) : ""));
        }
        if (response.status === 204 || text === "") {
          if (body.id !== undefined || Array.isArray(body)) {
            throw new Error("courier: HTTP " + response.status + " without a reply from " + url + " for " + what);
          }
          return undefined;
        }
        try {
          return JSON.parse(text);
        } catch (e) {
          throw new Error("courier: the reply from " + url + " for " + what + " is not JSON: " + text.slice(0, 200));
        }
      });
    }, function (error) {
      if (reason !== null) {
        throw reason;
      }
      throw new ConnectionClosedError("courier: POST " + url + " failed for " + what + ": " + error.message);
    });
    aborted.catch(function () {}); // only raced below
    return Promise.race([exchange, aborted]).finally(function () {
      clearTimeout(timer);
      self._inFlight.delete(request);
    });
  };

  // ---------------------------------------------------------------- entry point

  /** Connects to a Courier server; the URL's scheme (ws, wss, http, https) picks the transport. */
  function connect(url, options) {
    options = options || {};
    var scheme = String(url).split(":", 1)[0].toLowerCase();
    if (scheme === "ws" || scheme === "wss") {
      return new WebSocketClient(String(url), options);
    }
    if (scheme === "http" || scheme === "https") {
      return new HttpClient(String(url), options);
    }
    throw new TypeError("url: " + url + " (expected: ws://, wss://, http:// or https://)");
  }

  return {
    connect: connect,
    RpcError: RpcError,
    TimeoutError: TimeoutError,
    ConnectionClosedError: ConnectionClosedError,
    HttpError: HttpError,
  };
});
