// JavaScript that runs inside the sandbox before the program: the `openai` client, `openai.paginate` and a
// capturing `console`, built on two host functions that only ever exchange strings. Plain JS (not TS)
// because it is evaluated by QuickJS as is; it is tiny on purpose.

/** File name of the prelude in sandbox stack traces (frames in it are not the program's). */
export const PRELUDE_FILE = 'prelude.js';

/** File name of the program inside the sandbox; stack frames in it belong to the submitted code. */
export const PROGRAM_FILE = 'program.ts';

import { LIST_PAGE, USAGE_PAGE } from '../../contract/pages.js';
import { PRELUDE_VALUES } from './prelude-values.js';

/**
 * Evaluates to `install(call, log, configJson)`, which defines `openai` and `console` and returns
 * `run(program)`: a promise of a JSON envelope string, `{ok: true, json}` or `{ok: false, error}`.
 * `call(name, argsJson, args)` returns a promise of `{ok, value | error}` as JSON text; `log(level, text)` records a line.
 */
export const PRELUDE = String.raw`(function install(call, log, configJson) {
  'use strict';
  // Captured before the program runs, so a program that replaces JSON or Promise only breaks itself.
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const PromiseCtor = Promise;
  const assign = Object.assign;
  const protoNames = new Set(Object.getOwnPropertyNames(Object.prototype));
  const config = parse(configJson);
  const cursorArgs = config.cursorArgs;
  // The page fields (contract/pages.ts): items, cursor and has-more of a list page; rows and totals of a usage page.
  const PAGE = ${JSON.stringify(LIST_PAGE)};
  const USAGE = ${JSON.stringify(USAGE_PAGE)};
${PRELUDE_VALUES}

  class OpenAiToolError extends Error {
    constructor(info) {
      super(info.message);
      this.name = 'OpenAiToolError';
      this.tool = info.tool;
      this.error = info.error === undefined ? null : info.error;
      // Which call failed, for the host's report; not enumerable, so it stays out of the program's JSON.
      Object.defineProperty(this, 'seq', { value: info.seq, enumerable: false });
    }
  }

  // Once the host refuses a call for the call limit, later calls are refused here without a round trip.
  let refused = null;

  function invoke(name, args) {
    // The call site is where the program asked; the failure arrives later, from the host.
    const site = new Error().stack;
    if (refused) {
      const err = new OpenAiToolError(assign({}, refused, { tool: String(name) }));
      err.stack = site;
      return PromiseCtor.reject(err);
    }
    let json;
    try {
      json = args === undefined ? '{}' : stringify(args);
    } catch (e) {
      return PromiseCtor.reject(new TypeError('openai.' + String(name) + ': arguments must be JSON-serializable (' + e.message + ')'));
    }
    if (json === undefined || json[0] !== '{') {
      return PromiseCtor.reject(new TypeError('openai.' + String(name) + ': arguments must be an object'));
    }
    // The arguments go along so the host can name the one that makes a refused call too big.
    return call(String(name), json, args).then(function (text) {
      const reply = parse(text);
      if (reply.ok) return hintPage(String(name), reply.value);
      if (reply.error && reply.error.error && reply.error.error.type === 'call_limit') refused = reply.error;
      const err = new OpenAiToolError(reply.error);
      err.stack = site;
      throw err;
    });
  }

  async function* paginate(name, args) {
    const cursorArg = cursorArgs[name];
    let current = assign({}, args);
    for (;;) {
      const page = await invoke(name, current);
      const items = Array.isArray(page && page[PAGE.items]) ? page[PAGE.items] : Array.isArray(page && page[USAGE.rows]) ? page[USAGE.rows] : null;
      if (!items) throw new TypeError('openai.paginate: ' + name + ' is not a list tool');
      for (const item of items) yield item;
      const next = page[PAGE.cursor];
      if (!cursorArg || !page[PAGE.more] || next === null || next === undefined) return;
      current = assign({}, current, { [cursorArg]: next });
    }
  }

  const openai = new Proxy(Object.freeze({}), {
    get(_target, name) {
      if (name === 'paginate') return function (tool, args) { return hinted(paginate(tool, args), tool); };
      // Not a tool: symbols, \`then\` (so awaiting openai itself is harmless) and Object.prototype members (String(openai)).
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (protoNames.has(name)) return Object.prototype[name];
      return function (args) { return invoke(name, args); };
    },
  });

  function show(value) {
    try {
      return inspect(value, 0, []);
    } catch (e) {
      return String(typeof value);
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

  // Cut here, inside the sandbox: a thrown message may be hundreds of megabytes, which must never reach the host.
  const cut = function (v, n) { const s = String(v); return s.length > n ? s.slice(0, n) + '…' : s; };
  function describe(e) {
    if (e instanceof Error) {
      const fromCall = e instanceof OpenAiToolError;
      return { name: cut(e.name, 200), message: cut(e.message, 2000), stack: cut(e.stack || '', 4000), tool: fromCall ? e.tool : undefined, seq: fromCall ? e.seq : undefined };
    }
    let shown;
    try { shown = stringify(e); } catch (_) { shown = undefined; }
    if (shown === undefined) shown = String(e);
    return { name: 'Thrown', message: 'the program threw a non-Error value: ' + shown.slice(0, 1000), stack: '' };
  }

  return function run(program) {
    return PromiseCtor.resolve()
      .then(function () { return program(openai, console); })
      .then(function (value) {
        let json;
        try {
          json = value === undefined ? null : toJson(value);
        } catch (e) {
          return stringify({ ok: false, error: { name: 'TypeError', message: 'the return value is not JSON-serializable: ' + String(e && e.message), stack: '', serialization: true } });
        }
        return stringify({ ok: true, json: json === undefined ? null : json });
      }, function (e) {
        return stringify({ ok: false, error: describe(e) });
      });
  };
})`;
