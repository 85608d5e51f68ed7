// JavaScript that runs inside the sandbox before the program: the `openai` client, `openai.paginate` and a
// capturing `console`, built on two host functions that only ever exchange strings. Plain JS (not TS)
// because it is evaluated by QuickJS as is; it is tiny on purpose.

/** File name of the prelude in sandbox stack traces (frames in it are not the program's). */
export const PRELUDE_FILE = 'prelude.js';

/**
 * Evaluates to `install(call, log, configJson)`, which defines `openai` and `console` and returns
 * `run(program)`: a promise of a JSON envelope string, `{ok: true, json}` or `{ok: false, error}`.
 * `call(name, argsJson)` returns a promise of `{ok, value | error}` as JSON text; `log(level, text)` records a line.
 */
export const PRELUDE = String.raw`(function install(call, log, configJson) {
  'use strict';
  const config = JSON.parse(configJson);
  const cursorArgs = config.cursorArgs;

  class OpenAiToolError extends Error {
    constructor(info) {
      super(info.message);
      this.name = 'OpenAiToolError';
      this.tool = info.tool;
      this.error = info.error === undefined ? null : info.error;
    }
  }

  function invoke(name, args) {
    // The call site is where the program asked; the failure arrives later, from the host.
    const site = new Error().stack;
    let json;
    try {
      json = args === undefined ? '{}' : JSON.stringify(args);
    } catch (e) {
      return Promise.reject(new TypeError('openai.' + String(name) + ': arguments must be JSON-serializable (' + e.message + ')'));
    }
    if (json === undefined || json[0] !== '{') {
      return Promise.reject(new TypeError('openai.' + String(name) + ': arguments must be an object'));
    }
    return call(String(name), json).then(function (text) {
      const reply = JSON.parse(text);
      if (reply.ok) return reply.value;
      const err = new OpenAiToolError(reply.error);
      err.stack = site;
      throw err;
    });
  }

  async function* paginate(name, args) {
    const cursorArg = cursorArgs[name];
    let current = Object.assign({}, args);
    for (;;) {
      const page = await invoke(name, current);
      const items = Array.isArray(page && page.result) ? page.result : Array.isArray(page && page.rows) ? page.rows : null;
      if (!items) throw new TypeError('openai.paginate: ' + name + ' is not a list tool');
      for (const item of items) yield item;
      if (!cursorArg || !page.has_more || page.next_cursor === null || page.next_cursor === undefined) return;
      current = Object.assign({}, current, { [cursorArg]: page.next_cursor });
    }
  }

  const openai = new Proxy(Object.freeze({}), {
    get(_target, name) {
      if (name === 'paginate') return paginate;
      if (typeof name !== 'string' || name === 'then') return undefined;
      return function (args) { return invoke(name, args); };
    },
  });

  function show(value) {
    if (typeof value === 'string') return value;
    if (value instanceof Error) return String(value.name) + ': ' + String(value.message);
    try {
      const json = JSON.stringify(value);
      return json === undefined ? String(value) : json;
    } catch (e) {
      return String(value);
    }
  }
  const console = {};
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    console[level] = function () {
      const parts = [];
      for (let i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
      log(level, parts.join(' '));
    };
  }
  Object.freeze(console);
  globalThis.openai = openai;
  globalThis.console = console;

  function describe(e) {
    if (e instanceof Error) {
      return { name: String(e.name), message: String(e.message), stack: String(e.stack || ''), tool: e instanceof OpenAiToolError ? e.tool : undefined };
    }
    let shown;
    try { shown = JSON.stringify(e); } catch (_) { shown = undefined; }
    if (shown === undefined) shown = String(e);
    return { name: 'Thrown', message: 'the program threw a non-Error value: ' + shown.slice(0, 1000), stack: '' };
  }

  return function run(program) {
    return Promise.resolve()
      .then(function () { return program(openai, console); })
      .then(function (value) {
        let json;
        try {
          json = value === undefined ? null : JSON.stringify(value);
        } catch (e) {
          return JSON.stringify({ ok: false, error: { name: 'TypeError', message: 'the return value is not JSON-serializable: ' + String(e && e.message), stack: '', serialization: true } });
        }
        return JSON.stringify({ ok: true, json: json === undefined ? null : json });
      }, function (e) {
        return JSON.stringify({ ok: false, error: describe(e) });
      });
  };
})`;
