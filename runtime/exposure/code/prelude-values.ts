// Part of the sandbox prelude (inserted into PRELUDE's `install`, where `log` and `stringify` are in scope): values
// JSON cannot hold, shown faithfully or refused with a message instead of vanishing, and hints for the slips a
// model makes with pages (`.data` for `.result`, `for…of` over a page or over `openai.paginate`). Plain JS.

import { LIST_PAGE_SHAPE, USAGE_PAGE_SHAPE } from '../../contract/pages.js';

/** Uses `PAGE` and `USAGE` (the page field names), which PRELUDE defines before it. */
export const PRELUDE_VALUES = String.raw`
  const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

  // console: as Node's console shows values (Map(1) {'a' => 1}, NaN, undefined, 10n), bounded in depth and size.
  function inspect(v, depth, seen) {
    if (typeof v === 'string') return depth === 0 ? v : "'" + v.replace(/'/g, "\\'") + "'";
    if (typeof v === 'bigint') return String(v) + 'n';
    if (typeof v === 'function') return '[Function ' + (v.name || '(anonymous)') + ']';
    if (typeof v === 'symbol' || v === null || typeof v !== 'object') return String(v);
    if (v instanceof Error) return String(v.name) + ': ' + String(v.message);
    if (v instanceof Date) return isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
    if (seen.indexOf(v) >= 0) return '[Circular]';
    if (depth > 4) return Array.isArray(v) ? '[Array]' : '[Object]';
    const next = seen.concat([v]);
    const show = (x) => inspect(x, depth + 1, next);
    const list = (items, f) => {
      const out = [];
      for (const x of items) {
        if (out.length >= 100) { out.push('…'); break; }
        out.push(f(x));
      }
      return out.join(', ');
    };
    if (v instanceof Map) return 'Map(' + v.size + ') {' + list(v, (e) => show(e[0]) + ' => ' + show(e[1])) + '}';
    if (v instanceof Set) return 'Set(' + v.size + ') {' + list(v, show) + '}';
    if (Array.isArray(v)) return '[' + list(Array.from(v, (x) => x), show) + ']';
    return '{' + list(Object.keys(v), (k) => (IDENT.test(k) ? k : "'" + k + "'") + ': ' + show(v[k])) + '}';
  }

  // The return value as JSON. What JSON would drop or change silently is converted where that is faithful (Map,
  // Set, NaN, Infinity, Error) and noted by path in the log; a BigInt is refused, naming where it is.
  function toJson(value) {
    const paths = new Map();
    const notes = [];
    let more = 0;
    const note = (text) => (notes.length < 20 ? notes.push(text) : more++);
    const json = stringify(value, function (key, v) {
      const parent = paths.get(this);
      const path = parent === undefined ? 'result' : Array.isArray(this) ? parent + '[' + key + ']' : IDENT.test(key) ? parent + '.' + key : parent + '[' + stringify(key) + ']';
      let out = v;
      if (typeof v === 'bigint') throw new TypeError(path + ' is a BigInt, which JSON cannot hold: return Number(x), or String(x) for more than 15 digits');
      if (typeof v === 'number' && !isFinite(v)) {
        out = String(v);
        note(path + ' is ' + out + ': returned as the string "' + out + '"');
      } else if (v === undefined || typeof v === 'function' || typeof v === 'symbol') {
        note(path + ' is ' + (v === undefined ? 'undefined' : 'a ' + typeof v) + (Array.isArray(this) ? ': returned as null' : ': left out'));
      } else if (v instanceof Map) {
        const keys = Array.from(v.keys());
        const named = keys.every((k) => typeof k === 'string');
        out = named ? Object.fromEntries(v) : Array.from(v);
        note(path + ' is a Map: returned as ' + (named ? 'an object' : 'an array of [key, value] pairs'));
      } else if (v instanceof Set) {
        out = Array.from(v);
        note(path + ' is a Set: returned as an array');
      } else if (v instanceof Error) {
        out = { name: String(v.name), message: String(v.message) };
        note(path + ' is an Error: returned as {name, message}');
      }
      if (out !== null && typeof out === 'object') paths.set(out, path);
      return out;
    });
    for (const n of notes) log('note', 'the return value: ' + n);
    if (more) log('note', 'the return value: ' + more + ' more such values');
    return json;
  }

  // A page answers .data and for…of with a pointer to where its items are (neither is in its JSON).
  function hintPage(name, page) {
    if (page === null || typeof page !== 'object') return page;
    const key = Array.isArray(page[PAGE.items]) && PAGE.more in page ? PAGE.items : Array.isArray(page[USAGE.rows]) && USAGE.totals in page ? USAGE.rows : null;
    if (!key) return page;
    const shape = key === PAGE.items ? ${JSON.stringify(LIST_PAGE_SHAPE)} : ${JSON.stringify(USAGE_PAGE_SHAPE)};
    const where = 'openai.' + name + '(…) resolves to a page ' + shape + ': its items are in .' + key;
    let told = false;
    if (!Object.prototype.hasOwnProperty.call(page, 'data')) {
      Object.defineProperty(page, 'data', {
        enumerable: false,
        get() {
          if (!told) log('note', where + ', not .data (which is undefined)');
          told = true;
          return undefined;
        },
      });
    }
    Object.defineProperty(page, Symbol.iterator, {
      enumerable: false,
      value() {
        throw new TypeError(where + '; iterate over .' + key + ", or over every page with for await (const item of openai.paginate('" + name + "', args))");
      },
    });
    return page;
  }

  // openai.paginate is async: for…of over it gets the for await hint instead of "value is not iterable".
  function hinted(iterator, name) {
    Object.defineProperty(iterator, Symbol.iterator, {
      enumerable: false,
      value() {
        throw new TypeError("openai.paginate yields items asynchronously: write for await (const item of openai.paginate('" + String(name) + "', args))");
      },
    });
    return iterator;
  }
`;
