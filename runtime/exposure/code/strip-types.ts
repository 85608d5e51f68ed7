// TypeScript → JavaScript for the sandbox with esbuild's transform: TypeScript's own syntax rules (the arrow and
// conditional ambiguities, enums, parameter properties, `accessor` fields lowered to what QuickJS runs), in a
// separate process, so a pathological program neither blocks this thread nor exhausts its stack. A source map
// leads back from the compiled program to the code as submitted, for error positions and the program's own
// `e.stack`; esbuild counts every line terminator (LF, CRLF, CR, U+2028, U+2029) as JavaScript does.

import { LEAST_UPPER_BOUND, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { type Message, stop, type TransformResult, transform } from 'esbuild';
import type { CodePosition } from './errors.js';
import { PROGRAM_FILE } from './prelude.js';

export { PROGRAM_FILE } from './prelude.js';

// The body runs as an async function so top-level `await` and `return` work. The header is on its own line:
// line N of the submitted code is line N + 1 of what esbuild reads.
const HEADER = '(async function program(openai, console) {\n';
const FOOTER = '\n})';

/** What QuickJS lacks is lowered (`accessor` fields, decorators, `using`); the rest is left as written. */
const TARGET = 'es2022';

/** Line terminators as ECMAScript counts them. */
const LINE_BREAK = /\r\n|[\n\r\u2028\u2029]/;

export interface StrippedProgram {
  /** JavaScript that evaluates to the program function. */
  js: string;
  /** Maps a 1-based line/column in `js` to the submitted code; undefined outside of it. */
  toSource(line: number, column: number): CodePosition | undefined;
  /** `text` with each `program.ts:line:column` of `js` (stack frames) rewritten to the position as submitted. */
  mapStack(text: string): string;
}

export class StripError extends Error {
  constructor(
    message: string,
    readonly position?: CodePosition,
  ) {
    super(message);
    this.name = 'SyntaxError';
  }
}

/**
 * Statements TypeScript allows only at the top level of a module; a program is a function body, where tsc refuses
 * them too (TS1232, TS1235). esbuild's message names the next token, so the refusal names the construct itself.
 */
const MODULE_ONLY: Record<string, string> = {
  namespace: 'use an object or plain functions instead',
  module: 'use an object or plain functions instead',
  import: '`openai` and `console` are already in scope, and types need no import (they are only stripped)',
  export: '`return` what the program should answer instead',
};

function moduleOnly(lineText: string, column: number): string | undefined {
  const before = lineText.slice(0, column);
  const named = /^\s*(?:declare\s+)?(namespace|module|import)\s+$/.exec(before)?.[1];
  const leading = /^\s*$/.test(before) ? /^(import|export)\b/.exec(lineText.slice(column))?.[1] : undefined;
  const construct = named ?? leading;
  if (!construct) return undefined;
  const what = construct === 'export' ? '`export`' : `\`${construct}\` declarations`;
  return `${what} are only allowed at the top level of a module, and a program is the body of an async function: ${MODULE_ONLY[construct]}`;
}

/**
 * Longest esbuild may take for one program. Real programs take milliseconds (100,000 characters of ordinary code
 * about 40 ms), but its parser is superlinear on some adversarial shapes (tens of thousands of nested blocks or
 * arrows, chains of labels or commas: seconds to minutes), so a program past this is refused.
 */
export const STRIP_TIMEOUT_MS = 3_000;

const OPTIONS = {
  loader: 'ts',
  target: TARGET,
  sourcemap: 'external',
  sourcefile: PROGRAM_FILE,
  legalComments: 'none',
  // Indentation grows with nesting: 20,000 nested blocks would print gigabytes. The source map keeps positions.
  minifyWhitespace: true,
  // Class fields as TypeScript emits them for ES2022 (defined, `declare` fields left out).
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: true } },
} as const;

const serviceGone = (err: unknown) =>
  (err as { errors?: unknown })?.errors === undefined &&
  /The service (was stopped|is no longer running)/.test(String((err as Error)?.message));

async function compile(wrapped: string, timeoutMs: number): Promise<TransformResult> {
  for (let attempt = 0; ; attempt++) {
    const pending = transform(wrapped, OPTIONS);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    try {
      const out = await Promise.race([pending, expired]);
      if (out !== 'expired') return out;
      // The only way to stop a transform is to end esbuild's process; other programs in it start a new one.
      pending.catch(() => {});
      await stop();
      throw new StripError(
        `the code took more than ${timeoutMs} ms to compile and was refused: it nests too deeply or repeats one construct tens of thousands of times`,
      );
    } catch (err) {
      // esbuild's process ended (stopped for another program, killed, out of memory): a new one, at most twice.
      if (!serviceGone(err) || attempt >= 2) throw err;
      if (/no longer running/.test(String((err as Error).message))) await stop();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The first error as a StripError, positioned in the submitted code (esbuild's columns count UTF-8 bytes). */
function syntaxError(message: Message | undefined, lines: string[]): StripError {
  const loc = message?.location;
  let text = message?.text ?? 'the code does not parse';
  if (!loc) return new StripError(text);
  const column = Buffer.from(loc.lineText, 'utf8').subarray(0, loc.column).toString('utf8').length;
  text = moduleOnly(loc.lineText, column) ?? text;
  const line = loc.line - 1;
  if (line >= 1 && line <= lines.length) return new StripError(text, { line, column: column + 1 });
  // On the closing line the wrapper adds: something opened in the code is never closed.
  const last = lines.length;
  return new StripError(`${text} at the end of the code (a bracket, block or string left open?)`, {
    line: last,
    column: (lines[last - 1]?.length ?? 0) + 1,
  });
}

export async function stripTypes(code: string, timeoutMs = STRIP_TIMEOUT_MS): Promise<StrippedProgram> {
  const lines = code.split(LINE_BREAK);
  let out: TransformResult;
  try {
    out = await compile(`${HEADER}${code}${FOOTER}`, timeoutMs);
  } catch (err) {
    const errors = (err as { errors?: Message[] })?.errors;
    if (!errors?.length) throw err;
    throw syntaxError(errors[0], lines);
  }
  const map = new TraceMap(out.map);
  const toSource = (line: number, column: number): CodePosition | undefined => {
    // trace-mapping takes 1-based lines and 0-based columns; QuickJS reports both 1-based. A position before the
    // line's first mapping (its indentation) takes the first one after it.
    const at = { line, column: Math.max(0, column - 1) };
    let orig = originalPositionFor(map, at);
    if (orig.line === null) orig = originalPositionFor(map, { ...at, bias: LEAST_UPPER_BOUND });
    if (orig.line === null || orig.column === null) return undefined;
    const source = orig.line - 1;
    return source >= 1 && source <= lines.length ? { line: source, column: orig.column + 1 } : undefined;
  };
  const frame = new RegExp(`${PROGRAM_FILE.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');
  return {
    js: out.code,
    toSource,
    mapStack: (text) =>
      text.replace(frame, (whole, l: string, c: string) => {
        const pos = toSource(Number(l), Number(c));
        return pos ? `${PROGRAM_FILE}:${pos.line}:${pos.column}` : whole;
      }),
  };
}
