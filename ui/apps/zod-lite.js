// The part of zod that the ext-apps View SDK and the MCP core schemas it pulls in use, as the `zod` the view bundle
// is built against (scripts/build-apps.ts points `zod` and `zod/v4` here). They import zod's namespace object
// (`import {z} from "zod/v4"`), which a bundler cannot shake: every locale and the JIT compiler would ride along
// and the view would be three times over its 60 KB budget. esbuild warns ("No matching export") when a name the
// SDK reads is missing here, and the build treats warnings as errors.

export {
  any,
  array,
  boolean,
  custom,
  discriminatedUnion,
  email,
  enum,
  instanceof,
  intersection,
  lazy,
  literal,
  looseObject,
  never,
  null,
  nullable,
  number,
  object,
  optional,
  preprocess,
  record,
  strictObject,
  string,
  tuple,
  undefined,
  union,
  unknown,
  url,
  ZodType,
  ZodObject,
} from 'zod/v4/classic/schemas.js';
export { parse, safeParse, safeParseAsync, parseAsync } from 'zod/v4/classic/parse.js';
export { ZodIssueCode } from 'zod/v4/classic/compat.js';
export { ZodError } from 'zod/v4/classic/errors.js';
export { NEVER, config } from 'zod/v4/core/core.js';
export * as coerce from 'zod/v4/classic/coerce.js';
export * as iso from 'zod/v4/classic/iso.js';

/**
 * Converting a schema to JSON Schema only serves an App that registers tools of its own for the host to call; these
 * views register none, and the converter is a fifth of the bundle. A call says so instead of failing silently.
 */
export function toJSONSchema() {
  throw new Error('toJSONSchema is not part of the openai-mcp view bundle (ui/apps/zod-lite.js)');
}

import * as self from './zod-lite.js';
export { self as z };
export default self;
