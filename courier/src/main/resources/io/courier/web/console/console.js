/*
 * console.js: Courier's web console. Plain JavaScript, no library; needs /courier.js, loaded before it.
 *
 * It talks to the server that served it, over its WebSocket: rpc.discover (the OpenRPC document: methods, params,
 * schemas) once per connection, and rpc.courier.console (calls, errors and latencies per method, connections)
 * every second. The try-it form POSTs to /rpc, so that the request and response it shows are the ones on the wire.
 * When a call is refused as unauthenticated (-32001) the page shows a token prompt and nothing else; the token is
 * kept in memory only, sent with $/authenticate on the WebSocket and as a bearer header on POSTs, and never put in
 * the command lines it shows. When the connection closes it says "disconnected" and tries again every few seconds.
 *
 * For tests, window.courierConsole holds the state ("connecting", "connected", "token needed", "disconnected"),
 * the last snapshot, how many times it has connected or tried to, and the errors the page caught.
 */
(function () {
  "use strict";

  const UNAUTHENTICATED = -32001;
  const REFRESH_MS = 1000;
  const RETRY_MS = 3000;
  const CALL_TIMEOUT_MS = 10000;
  const TRY_TIMEOUT_MS = 30000;
  const COLORS = ["#2f6fde", "#e0782f", "#1f8a4c", "#c2372b", "#7b4fd1", "#0e9aa7", "#b58900", "#d33682",
    "#5b6b7f", "#6c9a1f"];

  const webSocketPath = document.querySelector('meta[name="courier-web-socket-path"]').content;
  const secure = location.protocol === "https:";
  const webSocketUrl = (secure ? "wss://" : "ws://") + location.host + webSocketPath;
  const rpcUrl = location.origin + "/rpc";

  /** Everything the page knows; one connection at a time, named by its generation. */
  const state = {
    client: null,
    generation: 0,
    token: null,
    document: null,
    methods: new Map(),
    selected: null,
    pollTimer: null,
    retryTimer: null,
    colors: new Map(),
    requestId: 0,
  };

  const exposed = { state: "connecting", snapshot: null, errors: [], attempts: 0 };
  window.courierConsole = exposed;
  window.addEventListener("error", event => exposed.errors.push(String(event.message)));
  window.addEventListener("unhandledrejection", event => exposed.errors.push(String(event.reason)));

  const $ = id => document.getElementById(id);

  /** Creates an element with a class, text and children; text always goes in as text, never as markup. */
  function el(tag, options, ...children) {
    const node = document.createElement(tag);
    const o = options || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined) node.textContent = o.text;
    if (o.id) node.id = o.id;
    for (const child of children) {
      if (child) node.appendChild(child);
    }
    return node;
  }

  // ------------------------------------------------------------------------------------------- connection

  function setState(name) {
    exposed.state = name;
    const badge = $("state");
    badge.textContent = name;
    badge.dataset.state = name;
    document.body.classList.toggle("stale", name === "disconnected");
  }

  function clearTimers() {
    clearTimeout(state.pollTimer);
    clearTimeout(state.retryTimer);
    state.pollTimer = null;
    state.retryTimer = null;
  }

  function connect() {
    clearTimers();
    if (state.client) {
      state.client.close();
    }
    const generation = ++state.generation;
    exposed.attempts++;
    setState(state.document ? "disconnected" : "connecting");
    const options = { timeoutMs: CALL_TIMEOUT_MS };
    if (state.token) options.token = state.token;
    const client = Courier.connect(webSocketUrl, options);
    state.client = client;
    client.call("rpc.discover")
      .catch(error => {
        // A server may keep its methods to itself (openRpc(false), or a role rpc.discover needs): the live stats
        // can still be shown, unless the refusal was for want of a token.
        if (error instanceof Courier.RpcError && error.code !== UNAUTHENTICATED) {
          return { info: {}, methods: [], undescribed: "rpc.discover answered " + error.code + " " + error.message };
        }
        throw error;
      })
      .then(document => {
        if (generation !== state.generation) return;
        setState("connected");
        showDocument(document);
        poll(generation);
      })
      .catch(error => failed(generation, error));
  }

  /** Every outcome of a call but success ends here: a token to ask for, or a connection to try again. */
  function failed(generation, error) {
    if (generation !== state.generation) return;
    clearTimers();
    if (error instanceof Courier.RpcError && error.code === UNAUTHENTICATED) {
      askForToken(state.token !== null);
      return;
    }
    if (error instanceof Courier.RpcError) {
      // The server answered, so the connection is fine; only this datum is refused (a role it needs, say).
      showLiveMessage("Live stats unavailable: " + error.message + " (" + error.code + ")");
      state.pollTimer = setTimeout(() => poll(generation), RETRY_MS);
      return;
    }
    setState("disconnected");
    if (state.client) {
      state.client.close();
    }
    state.retryTimer = setTimeout(connect, RETRY_MS);
  }

  function askForToken(refused) {
    if (state.client) state.client.close();
    state.client = null;
    forgetData();
    setState("token needed");
    $("auth-message").textContent = refused
      ? "That token was refused. Try another."
      : "Calls without a bearer token are refused (-32001), so there is nothing to show yet.";
    $("auth").hidden = false;
    $("token").focus();
  }

  /** Drops whatever the page shows of the server: an unauthenticated page must show none of it. */
  function forgetData() {
    state.document = null;
    state.methods = new Map();
    state.selected = null;
    exposed.snapshot = null;
    $("main").hidden = true;
    $("methods").replaceChildren();
    $("method").replaceChildren(el("p", { className: "hint", text: "Select a method." }));
    $("legend").replaceChildren();
    $("connections").tBodies[0].replaceChildren();
    $("title").textContent = "Courier console";
    $("version").textContent = "";
  }

  $("auth-form").addEventListener("submit", event => {
    event.preventDefault();
    const token = $("token").value.trim();
    if (!token) return;
    state.token = token;
    $("token").value = "";
    $("auth").hidden = true;
    connect();
  });

  function poll(generation) {
    state.client.call("rpc.courier.console")
      .then(snapshot => {
        if (generation !== state.generation) return;
        exposed.snapshot = snapshot;
        setState("connected");
        showLiveMessage(null);
        showSnapshot(snapshot);
        state.pollTimer = setTimeout(() => poll(generation), REFRESH_MS);
      })
      .catch(error => failed(generation, error));
  }

  // --------------------------------------------------------------------------------------------- methods

  function showDocument(document) {
    state.document = document;
    const info = document.info || {};
    $("title").textContent = info.title || "Courier console";
    $("version").textContent = info.version ? "v" + info.version : "";
    window.document.title = (info.title || "Courier") + " · console";
    state.methods = new Map((document.methods || []).map(m => [m.name, m]));
    const list = $("methods");
    list.replaceChildren();
    for (const method of state.methods.values()) {
      const item = el("li", {}, el("span", { className: "name", text: method.name }));
      item.dataset.method = method.name;
      const summary = firstSentence(method.description || "");
      if (summary) item.appendChild(el("span", { className: "summary", text: summary }));
      item.addEventListener("click", () => select(method.name));
      list.appendChild(item);
    }
    if (document.undescribed) {
      list.appendChild(el("li", { className: "hint", text: "This server does not describe its methods ("
        + document.undescribed + ")." }));
    }
    $("main").hidden = false;
    $("auth").hidden = true;
    if (state.selected && state.methods.has(state.selected)) {
      select(state.selected);
    }
  }

  function firstSentence(text) {
    const end = text.search(/\.(\s|$)/);
    return end >= 0 ? text.slice(0, end + 1) : text;
  }

  function select(name) {
    state.selected = name;
    for (const item of $("methods").children) {
      item.classList.toggle("selected", item.dataset.method === name);
    }
    showMethod(state.methods.get(name));
  }

  /** Replaces {"$ref": "#/components/schemas/X"} by X's schema, for reading; a type met again stays a ref. */
  function resolve(schema, seen) {
    if (Array.isArray(schema)) return schema.map(s => resolve(s, seen));
    if (!schema || typeof schema !== "object") return schema;
    const ref = schema.$ref;
    const prefix = "#/components/schemas/";
    if (typeof ref === "string" && ref.startsWith(prefix)) {
      const name = ref.slice(prefix.length);
      const schemas = (state.document.components && state.document.components.schemas) || {};
      if (seen.has(name) || !(name in schemas)) return schema;
      const inner = new Set(seen);
      inner.add(name);
      return Object.assign({ title: name }, resolve(schemas[name], inner));
    }
    const copy = {};
    for (const [key, value] of Object.entries(schema)) copy[key] = resolve(value, seen);
    return copy;
  }

  const pretty = value => JSON.stringify(value, null, 2);
  /** A schema on one line when it is short, as most params' are. */
  const schemaText = schema => {
    const line = JSON.stringify(schema);
    return line.length <= 60 ? line : pretty(schema);
  };

  function showMethod(method) {
    const section = $("method");
    section.replaceChildren();
    if (!method) return;
    section.appendChild(el("h2", {}, el("code", { text: method.name })));
    if (method.description) section.appendChild(el("p", { text: method.description }));

    const anyParams = method["x-courier-any-params"] === true;
    const params = method.params || [];
    if (anyParams) {
      section.appendChild(el("p", { className: "hint", text: "Takes any params, by position or by name." }));
    } else if (params.length === 0) {
      section.appendChild(el("p", { className: "hint", text: "Takes no params." }));
    } else {
      const described = params.some(p => p.description);
      const headings = described ? ["Param", "Required", "Description", "Schema"] : ["Param", "Required", "Schema"];
      const table = el("table", {}, el("thead", {}, row("th", headings)));
      const body = el("tbody");
      for (const param of params) {
        const schema = el("pre", { text: schemaText(resolve(param.schema || {}, new Set())) });
        const cells = [param.name, param.required ? "yes" : "no"];
        if (described) cells.push(param.description || "");
        cells.push(schema);
        body.appendChild(row("td", cells));
      }
      table.appendChild(body);
      section.appendChild(table);
    }
    if (method.result) {
      section.appendChild(el("h3", { text: "Result" }));
      section.appendChild(el("pre", { text: schemaText(resolve(method.result.schema || {}, new Set())) }));
    }
    if (method.errors && method.errors.length) {
      section.appendChild(el("h3", { text: "Declared errors" }));
      section.appendChild(el("pre", { text: pretty(method.errors) }));
    }
    section.appendChild(tryIt(method, anyParams, params));
  }

  function row(cell, values) {
    const tr = el("tr");
    for (const value of values) {
      tr.appendChild(value instanceof Node ? el(cell, {}, value) : el(cell, { text: value }));
    }
    return tr;
  }

  // ---------------------------------------------------------------------------------------------- try it

  function tryIt(method, anyParams, params) {
    const form = el("form", { className: "params-form" });
    form.appendChild(el("h3", { text: "Try it" }));
    form.appendChild(el("p", { className: "hint", text: "Each value is JSON; a word that is not JSON is taken as "
      + "a string, as the courier command takes it." }));
    const inputs = [];
    let named = false;
    const byName = method.paramStructure !== "by-position";
    if (anyParams) {
      const input = el("input", { className: "param" });
      input.name = "params";
      input.placeholder = "[1, 2] or {\"a\": 1}";
      form.appendChild(el("label", {}, el("span", { text: "params" }), input));
      inputs.push({ name: null, input });
    } else {
      if (params.length > 0 && byName) {
        const toggle = el("div", { className: "toggle" });
        for (const [value, label] of [["positional", "by position"], ["named", "by name"]]) {
          const radio = el("input");
          radio.type = "radio";
          radio.name = "structure";
          radio.value = value;
          radio.checked = value === "positional";
          radio.addEventListener("change", () => { named = radio.value === "named" && radio.checked; });
          toggle.appendChild(el("label", {}, radio, document.createTextNode(" " + label + " ")));
        }
        form.appendChild(toggle);
      }
      for (const param of params) {
        const input = el("input", { className: "param" });
        input.name = param.name;
        input.placeholder = placeholder(resolve(param.schema || {}, new Set()));
        form.appendChild(el("label", {}, el("span", { text: param.name }), input));
        inputs.push({ name: param.name, input, required: param.required });
      }
    }
    const button = el("button", { text: "Call" });
    button.type = "submit";
    form.appendChild(button);

    const request = el("pre", { className: "request", id: "raw-request" });
    const response = el("pre", { className: "response", id: "raw-response" });
    const result = el("pre", { className: "result", id: "result" });
    const commands = el("div", { className: "commands" });
    const exchange = el("div", { className: "exchange" },
      el("div", {}, el("h3", { text: "Request" }), request),
      el("div", {}, el("h3", { text: "Response" }), response));
    const outcome = el("div", { className: "outcome" }, el("h3", { text: "Result" }), result,
      exchange, el("h3", { text: "From a shell" }), commands);
    outcome.hidden = true;
    form.appendChild(outcome);

    form.addEventListener("submit", event => {
      event.preventDefault();
      const built = buildParams(inputs, anyParams, named);
      const body = { jsonrpc: "2.0", method: method.name };
      if (built.params !== undefined) body.params = built.params;
      body.id = ++state.requestId;
      const text = JSON.stringify(body);
      outcome.hidden = false;
      request.textContent = pretty(body);
      response.textContent = "…";
      result.textContent = "…";
      showCommands(commands, method.name, built, text);
      post(text).then(reply => {
        response.textContent = reply.text;
        result.textContent = reply.result;
      });
    });
    return form;
  }

  function placeholder(schema) {
    const type = Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type;
    if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(" | ");
    return type || (schema.title ? schema.title + " (JSON)" : "any JSON");
  }

  /** A value as the courier command reads a word: JSON, or else a string. */
  function value(text) {
    const trimmed = text.trim();
    try {
      return JSON.parse(trimmed);
    } catch (e) {
      return text;
    }
  }

  /** The params from the inputs: by position (trailing empty ones left out) or by name (empty ones left out). */
  function buildParams(inputs, anyParams, named) {
    if (anyParams) {
      const text = inputs[0].input.value.trim();
      return { params: text ? value(text) : undefined, whole: true };
    }
    if (inputs.length === 0) return { params: undefined };
    if (named) {
      const params = {};
      for (const { name, input } of inputs) {
        if (input.value.trim() !== "") params[name] = value(input.value);
      }
      return { params, named: true };
    }
    const values = inputs.map(({ input }) => input.value.trim() === "" ? undefined : value(input.value));
    while (values.length && values[values.length - 1] === undefined) values.pop();
    return { params: values.map(v => v === undefined ? null : v) };
  }

  /** POSTs the request as is and returns the reply's text and what to show as its outcome; never rejects. */
  function post(text) {
    const headers = { "Content-Type": "application/json" };
    if (state.token) headers.Authorization = "Bearer " + state.token;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), TRY_TIMEOUT_MS);
    return fetch(rpcUrl, { method: "POST", headers, body: text, signal: controller.signal })
      .then(reply => reply.text().then(body => {
        let shown = "HTTP " + reply.status + " (no body: a notification)";
        let parsed = null;
        if (body) {
          try {
            parsed = JSON.parse(body);
            shown = pretty(parsed);
          } catch (e) {
            shown = "HTTP " + reply.status + "\n" + body;
          }
        }
        return { text: shown, result: outcomeOf(parsed, reply.status) };
      }))
      .catch(error => ({ text: String(error), result: "The call failed: " + error.message }))
      .finally(() => clearTimeout(timer));
  }

  function outcomeOf(reply, status) {
    if (!reply || typeof reply !== "object") return "HTTP " + status;
    if ("result" in reply) return pretty(reply.result);
    if (reply.error) return "error " + reply.error.code + ": " + reply.error.message;
    return "HTTP " + status;
  }

  // ------------------------------------------------------------------------------------------- commands

  /** Quotes a word for a POSIX shell, only when it needs it. */
  function shellWord(word) {
    return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : "'" + word.replace(/'/g, "'\\''") + "'";
  }

  function showCommands(container, methodName, built, requestText) {
    const target = (secure ? "tls://" : "tcp://") + location.host;
    const words = ["bin/courier", "call", target, methodName];
    const tokenWords = state.token ? (secure ? ["--token", "\"$COURIER_TOKEN\""]
      : ["--token", "\"$COURIER_TOKEN\"", "--allow-plaintext-token"]) : [];
    const args = [];
    if (built.whole && built.params !== undefined) {
      args.push("--params", shellWord(JSON.stringify(built.params)));
    } else if (built.named) {
      for (const [name, v] of Object.entries(built.params)) args.push(shellWord(name + "=" + JSON.stringify(v)));
    } else if (built.params) {
      const values = built.params.map(v => JSON.stringify(v));
      // A word starting with - would be read as an option; -- ends the options.
      if (values.some(v => v.startsWith("-"))) args.push("--");
      for (const v of values) args.push(shellWord(v));
    }
    const courier = words.map(shellWord).concat(tokenWords, args).join(" ");
    const auth = state.token ? " -H \"Authorization: Bearer $COURIER_TOKEN\"" : "";
    const curl = "curl -s -H 'Content-Type: application/json'" + auth + " -d " + shellWord(requestText) + " "
      + rpcUrl;
    container.replaceChildren(commandLine("courier-command", courier), commandLine("curl-command", curl));
  }

  function commandLine(id, text) {
    const pre = el("pre", { id, text });
    const button = el("button", { className: "secondary", text: "Copy" });
    button.type = "button";
    button.addEventListener("click", () => copy(text, pre, button));
    return el("div", { className: "command" }, pre, button);
  }

  function copy(text, pre, button) {
    const done = () => {
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    };
    const select = () => {
      // Without the clipboard API (a page not on localhost or https), select it for Ctrl-C.
      const range = document.createRange();
      range.selectNodeContents(pre);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, select);
    } else {
      select();
    }
  }

  // ---------------------------------------------------------------------------------------- live charts

  function showLiveMessage(text) {
    const message = $("live-message");
    message.hidden = !text;
    message.textContent = text || "";
    message.classList.toggle("error", !!text);
  }

  function colorOf(name) {
    if (!state.colors.has(name)) state.colors.set(name, COLORS[state.colors.size % COLORS.length]);
    return state.colors.get(name);
  }

  function showSnapshot(snapshot) {
    const methods = (snapshot.methods || []).filter(m => m.calls.some(c => c > 0) || m.inFlight > 0);
    drawChart($("calls-chart"), methods.map(m => ({ color: colorOf(m.name), values: m.calls })), "/s");
    const latency = [];
    for (const m of methods) {
      latency.push({ color: colorOf(m.name), values: m.p50 });
      latency.push({ color: colorOf(m.name), values: m.p99, dashed: true });
    }
    drawChart($("latency-chart"), latency, " ms");
    const legend = $("legend");
    legend.replaceChildren();
    for (const m of methods) {
      const recent = m.calls.reduce((a, b) => a + b, 0);
      const last = v => v.filter(x => x !== null).pop();
      const p50 = last(m.p50);
      const p99 = last(m.p99);
      const swatch = el("span", { className: "swatch" });
      swatch.style.background = colorOf(m.name);
      const text = m.name + ": " + recent + " calls in " + snapshot.seconds + " s, " + m.totalErrors + " errors"
        + (p50 !== undefined ? ", p50 " + p50 + " ms, p99 " + p99 + " ms" : "");
      const item = el("li", {}, swatch, document.createTextNode(text));
      item.dataset.method = m.name;
      item.dataset.calls = String(recent);
      legend.appendChild(item);
    }
    if (methods.length === 0) {
      legend.appendChild(el("li", { className: "hint", text: "No calls in the last " + snapshot.seconds + " s." }));
    }
    showConnections(snapshot);
  }

  /** Draws series of numbers (nulls are gaps) oldest to newest across the canvas, scaled to the largest. */
  function drawChart(canvas, series, unit) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return; // not laid out (hidden): nothing to draw on
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
    }
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const left = 48;
    const right = 8;
    const top = 8;
    const bottom = 20;
    const plotWidth = width - left - right;
    const plotHeight = height - top - bottom;
    let max = 0;
    let points = 0;
    for (const s of series) {
      points = Math.max(points, s.values.length);
      for (const v of s.values) if (v !== null && v > max) max = v;
    }
    const top_ = niceCeiling(max);
    g.font = "11px system-ui, sans-serif";
    g.fillStyle = "#667085";
    g.strokeStyle = "#e6e9ef";
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const y = top + plotHeight - (plotHeight * i) / 4;
      g.beginPath();
      g.moveTo(left, y);
      g.lineTo(left + plotWidth, y);
      g.stroke();
      g.textAlign = "right";
      g.textBaseline = "middle";
      g.fillText(format((top_ * i) / 4) + unit, left - 4, y);
    }
    g.textAlign = "left";
    g.textBaseline = "top";
    g.fillText("-" + Math.max(points - 1, 0) + " s", left, top + plotHeight + 4);
    g.textAlign = "right";
    g.fillText("now", left + plotWidth, top + plotHeight + 4);
    if (points < 2) return;
    const x = i => left + (plotWidth * i) / (points - 1);
    const y = v => top + plotHeight - (plotHeight * v) / top_;
    for (const s of series) {
      g.strokeStyle = s.color;
      g.lineWidth = 1.75;
      g.setLineDash(s.dashed ? [5, 4] : []);
      g.beginPath();
      let drawing = false;
      s.values.forEach((v, i) => {
        if (v === null) {
          drawing = false;
        } else if (drawing) {
          g.lineTo(x(i), y(v));
        } else {
          g.moveTo(x(i), y(v));
          drawing = true;
        }
      });
      g.stroke();
    }
    g.setLineDash([]);
  }

  /** The smallest of 1, 2, 5 times a power of ten at or above {@code max}: round numbers on the axis. */
  function niceCeiling(max) {
    if (max <= 0) return 1;
    const power = Math.pow(10, Math.floor(Math.log10(max)));
    for (const step of [1, 2, 5, 10]) {
      if (step * power >= max) return step * power;
    }
    return 10 * power;
  }

  function format(v) {
    return v >= 100 ? String(Math.round(v)) : String(Math.round(v * 100) / 100);
  }

  function showConnections(snapshot) {
    const body = $("connections").tBodies[0];
    body.replaceChildren();
    const now = snapshot.now;
    for (const c of snapshot.connections || []) {
      body.appendChild(row("td", [c.remoteAddress, c.protocol, c.secure ? "yes" : "no",
        new Date(c.openedAt).toLocaleTimeString() + " (" + ago(now - c.openedAt) + ")"]));
    }
    const total = snapshot.totals ? snapshot.totals.connections : 0;
    const listed = (snapshot.connections || []).length;
    $("connection-count").textContent = total + " open" + (listed < total ? ", " + listed + " listed" : "")
      + " (this page's own included)";
  }

  function ago(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    return Math.round(s / 3600) + " h ago";
  }

  connect();
})();
