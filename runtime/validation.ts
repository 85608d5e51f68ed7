// Full-schema argument validation. The compact `inputSchema` a client sees is lossy on purpose
// (token budget), so arguments are checked against `generated/validation.json` before anything is sent.
// Everything here is lazy: a server that lists tools and is never called never loads ajv or the bundle.

import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema, ToolDef, ValidationBundle } from './contract/catalog.js';
import { DEF_REF_PREFIX, DEFS_ID } from './contract/validation.js';

/** A bundle, or something that loads one on first use. */
export type ValidationSource = ValidationBundle | (() => Promise<ValidationBundle>);

/** One argument problem, with a dotted path such as `hyperparameters.n_epochs`. */
export interface ArgumentIssue {
  path: string;
  message: string;
}

type AjvInstance = {
  compile(schema: object): ValidateFunction;
};

let defaultBundle: Promise<ValidationBundle> | undefined;

/** The generated bundle, imported once on first need (it is large; start-up must not pay for it). */
export function loadGeneratedValidation(): Promise<ValidationBundle> {
  defaultBundle ??= import('../generated/validation.json', { with: { type: 'json' } }).then(
    (m) => m.default as unknown as ValidationBundle,
  );
  return defaultBundle;
}

/** What one tool's validator needs from the bundle: the `$defs` it reaches, and whether any of them uses `format`. */
interface Closure {
  defs: Record<string, JsonSchema>;
  usesFormats: boolean;
}

/**
 * The `$defs` reachable from `schema`. Walking only what a tool references keeps its first call proportional to
 * its own schema, not to the 500+ shared definitions. The generator normalized them for draft 2020-12
 * (generator/load/normalize.ts): they are used as they are.
 */
function closureOf(schema: unknown, all: Record<string, JsonSchema>): Closure {
  // Null prototype and own-property checks: a component may be called `constructor` or `__proto__`.
  const defs: Record<string, JsonSchema> = Object.create(null);
  let usesFormats = false;
  const pending: unknown[] = [schema];
  const visit = (node: unknown) => {
    // Iterative: a deeply nested schema must not overflow the stack.
    const stack = [node];
    while (stack.length) {
      const n = stack.pop();
      if (Array.isArray(n)) {
        for (const v of n) stack.push(v);
      } else if (n && typeof n === 'object') {
        for (const [k, v] of Object.entries(n)) {
          if (k === '$ref' && typeof v === 'string' && v.startsWith(DEF_REF_PREFIX)) {
            const name = decodeURIComponent(
              (v.slice(DEF_REF_PREFIX.length).split('/')[0] ?? '').replace(/~1/g, '/').replace(/~0/g, '~'),
            );
            const def = Object.hasOwn(all, name) ? all[name] : undefined;
            if (!Object.hasOwn(defs, name) && def !== undefined) {
              defs[name] = def;
              pending.push(def);
            }
          } else if (k === 'format' && typeof v === 'string') {
            usesFormats = true;
          } else if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') {
            stack.push(v);
          }
        }
      }
    }
  };
  while (pending.length) visit(pending.pop());
  return { defs, usesFormats };
}

let ajvPromise: Promise<AjvInstance> | undefined;
let formatsPromise: Promise<void> | undefined;

/**
 * One ajv for every toolkit. `addUsedSchema: false` lets each tool's root carry `$id: openai-defs` with just its
 * own `$defs` without colliding with the next tool's; `validateSchema: false` skips compiling the draft 2020-12
 * meta-schema (~30 ms on the first call) for schemas the generator wrote and a compile failure still catches.
 */
function sharedAjv(): Promise<AjvInstance> {
  ajvPromise ??= import('ajv/dist/2020.js').then((ajvModule) => {
    // CommonJS with an `exports.default`; depending on the loader the class sits one level down.
    const AjvCtor = unwrapDefault(ajvModule) as new (opts: object) => AjvInstance;
    // ownProperties: an argument named `constructor` or `hasOwnProperty` that was not sent is absent, not inherited.
    return new AjvCtor({
      strict: false,
      allErrors: true,
      validateFormats: true,
      validateSchema: false,
      addUsedSchema: false,
      ownProperties: true,
    });
  });
  return ajvPromise;
}

/** ajv-formats is loaded only once a schema uses `format` (the generated bundle has none). */
function withFormats(ajv: AjvInstance): Promise<void> {
  formatsPromise ??= import('ajv-formats').then((formatsModule) => {
    (unwrapDefault(formatsModule) as (a: AjvInstance) => unknown)(ajv);
  });
  return formatsPromise;
}

function unwrapDefault(mod: unknown): unknown {
  let m = mod as { default?: unknown };
  while (m && typeof m === 'object' && 'default' in m && m.default) m = m.default as { default?: unknown };
  return m;
}

// Shared across toolkits: `callOpenAiTool` builds a toolkit per call, and recompiling per call would cost
// milliseconds each time. Validators are keyed by the schema object itself.
const validatorBySchema = new WeakMap<object, ValidateFunction>();

async function compileFor(schema: JsonSchema, bundle: ValidationBundle | undefined): Promise<ValidateFunction> {
  const defsByName = bundle?.$defs ?? {};
  // An embedded `$id` would change how the tool's `openai-defs#...` references resolve.
  const { $id: _id, ...root } = schema as JsonSchema & { $id?: unknown };
  const closure = closureOf(root, defsByName);
  const ajv = await sharedAjv();
  if (closure.usesFormats) await withFormats(ajv);
  return ajv.compile({ ...root, $id: DEFS_ID, $defs: closure.defs });
}

/**
 * Compiles one validator per tool on that tool's first call and caches it.
 * Tools missing from the bundle fall back to their compact `inputSchema` so they are never unchecked.
 */
export class ArgumentValidator {
  private bundle?: Promise<ValidationBundle | undefined>;
  /** Tools whose full schema failed to compile and are checked with their compact schema instead. */
  readonly fallbacks = new Set<string>();

  constructor(private readonly source: ValidationSource | undefined) {}

  private getBundle(): Promise<ValidationBundle | undefined> {
    this.bundle ??= (async () => {
      const s = this.source ?? loadGeneratedValidation;
      try {
        return typeof s === 'function' ? await s() : s;
      } catch (err) {
        // No bundle shipped (e.g. a hand-made catalog): the compact schemas still validate. Said once, because
        // for the generated catalog it means a broken install (the bin reads dist/generated/validation.json).
        process.emitWarning(
          `openai-mcp: validation bundle not loaded (${(err as Error).message}); checking arguments with the compact inputSchema only`,
        );
        return undefined;
      }
    })();
    return this.bundle;
  }

  private async validatorFor(tool: ToolDef): Promise<ValidateFunction> {
    const bundle = await this.getBundle();
    const schema = bundle?.tools[tool.name] ?? tool.inputSchema;
    const cached = validatorBySchema.get(schema);
    if (cached) return cached;
    let fn: ValidateFunction;
    try {
      fn = await compileFor(schema, bundle);
    } catch (err) {
      if (schema === tool.inputSchema) throw err;
      // A full schema the generator got wrong must not disable the tool: the compact one still checks shapes.
      process.emitWarning(
        `openai-mcp: full schema of ${tool.name} does not compile (${(err as Error).message}); using its inputSchema`,
      );
      this.fallbacks.add(tool.name);
      fn = await compileFor(tool.inputSchema, undefined);
    }
    validatorBySchema.set(schema, validatorBySchema.get(schema) ?? fn);
    return validatorBySchema.get(schema)!;
  }

  /**
   * Issues for `args` (empty when valid): unknown top-level names first, then schema violations. `redact` is applied
   * to echoed values before they are shortened.
   */
  async validate(
    tool: ToolDef,
    args: Record<string, unknown>,
    redact: (text: string) => string = (t) => t,
  ): Promise<ArgumentIssue[]> {
    const known = new Set(Object.keys((tool.inputSchema.properties as object | undefined) ?? {}));
    const unknown = Object.keys(args).filter((k) => !known.has(k));
    const valid = [...known].join(', ') || '(none: this tool takes no arguments)';
    const unknownIssues = unknown.map((k) => ({ path: k, message: `unknown argument; valid arguments: ${valid}` }));
    // The known arguments are checked too, so one answer lists everything to fix.
    const rest = unknown.length ? Object.fromEntries(Object.entries(args).filter(([k]) => known.has(k))) : args;
    const fn = await this.validatorFor(tool);
    if (fn(rest)) return unknownIssues;
    return [...unknownIssues, ...describeErrors(fn.errors ?? [], rest, 10, redact)];
  }
}

/** `/a/0/b` → `a[0].b`. */
export function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const seg of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function shortJson(v: unknown, redact: (text: string) => string): string {
  const s = redact(JSON.stringify(v) ?? String(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function messageOf(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `must be ${String(p.type)}`;
    case 'additionalProperties':
      return `unknown property \`${String(p.additionalProperty)}\``;
    default:
      return e.message ?? e.keyword;
  }
}

/** Turns ajv's error list (noisy with anyOf/oneOf under allErrors) into one line per argument path. */
export function describeErrors(
  errors: readonly ErrorObject[],
  args: unknown,
  max = 10,
  redact: (text: string) => string = (t) => t,
): ArgumentIssue[] {
  const groups = new Map<string, { messages: Set<string>; union: boolean; pointer: string }>();
  for (const e of errors) {
    const pointer =
      e.keyword === 'required'
        ? `${e.instancePath}/${String((e.params as { missingProperty: string }).missingProperty)}`
        : e.instancePath;
    const g = groups.get(pointer) ?? { messages: new Set<string>(), union: false, pointer };
    groups.set(pointer, g);
    if (e.keyword === 'anyOf' || e.keyword === 'oneOf') {
      g.union = true;
      if (e.keyword === 'oneOf' && (e.params as { passingSchemas?: unknown }).passingSchemas)
        g.messages.add('must match exactly one allowed shape');
      continue;
    }
    g.messages.add(e.keyword === 'required' ? 'is required' : messageOf(e));
  }
  const issues: ArgumentIssue[] = [];
  for (const [pointer, g] of groups) {
    const path = pointerToPath(pointer) || '(arguments)';
    const msgs = [...g.messages];
    if (msgs.length === 0) msgs.push('does not match any allowed shape');
    const isMissing = msgs.length === 1 && msgs[0] === 'is required';
    const expected = g.union && msgs.length > 1 ? `expected one of: ${msgs.join(' OR ')}` : msgs.join('; ');
    const got = isMissing ? '' : ` (got ${shortJson(valueAt(args, pointer), redact)})`;
    issues.push({ path, message: `${expected}${got}` });
  }
  // Deepest first: the most specific complaint is the useful one when a union fails at several levels.
  issues.sort((a, b) => b.path.length - a.path.length);
  return issues.slice(0, max);
}
