// TypeScript → JavaScript by removing types only (sucrase's `typescript` transform: no down-levelling,
// lines kept), plus a map back to positions in the code as submitted, for error messages.

import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { transform } from 'sucrase';
import type { CodePosition } from './errors.js';
import { PROGRAM_FILE } from './prelude.js';

export { PROGRAM_FILE } from './prelude.js';

// The body runs as an async function so top-level `await` and `return` work. The header is on its own line:
// line N of the submitted code is line N + 1 of the program.
const HEADER = '(async function program(openai, console) {\n';
const FOOTER = '\n})';

export interface StrippedProgram {
  /** JavaScript that evaluates to the program function. */
  js: string;
  /** Maps a 1-based line/column in `js` to the submitted code; undefined outside of it. */
  toSource(line: number, column: number): CodePosition | undefined;
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

export function stripTypes(code: string): StrippedProgram {
  const wrapped = `${HEADER}${code}${FOOTER}`;
  const lineCount = code.split('\n').length;
  let out: ReturnType<typeof transform>;
  try {
    out = transform(wrapped, {
      transforms: ['typescript'],
      disableESTransforms: true,
      keepUnusedImports: true,
      filePath: PROGRAM_FILE,
      sourceMapOptions: { compiledFilename: 'program.js' },
    });
  } catch (err) {
    // sucrase reports `Unexpected token (3:5)` with a 1-based line and 0-based column of the wrapped code.
    const message = String((err as Error)?.message ?? err);
    const m = /\((\d+):(\d+)\)\s*$/.exec(message);
    const position =
      m && Number(m[1]) > 1 && Number(m[1]) - 1 <= lineCount
        ? { line: Number(m[1]) - 1, column: Number(m[2]) + 1 }
        : undefined;
    throw new StripError(message.replace(/^Error transforming \S+: /, '').replace(/\s*\(\d+:\d+\)\s*$/, ''), position);
  }
  const map = out.sourceMap ? new TraceMap(out.sourceMap as never) : undefined;
  return {
    js: out.code,
    toSource(line, column) {
      if (line < 2 || line > lineCount + 1) return undefined;
      // trace-mapping takes 1-based lines and 0-based columns; QuickJS reports both 1-based.
      const orig = map ? originalPositionFor(map, { line, column: Math.max(0, column - 1) }) : undefined;
      if (orig && orig.line !== null && orig.column !== null) return { line: orig.line - 1, column: orig.column + 1 };
      return { line: line - 1, column };
    },
  };
}
