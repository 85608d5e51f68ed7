// The stages in the order they run, each as `{ name, run(ctx) }` over the shared context (../context.ts):
//
//   model → auth → select → classify → name → link → budget[ schema → bind → describe → assemble → timeinput
//         → precheck → wait → portable ] → check-names → sdk
//
// `budget` runs the per-depth stages once per nesting depth, richest first, on a fresh copy of the drafts, and keeps
// the first catalog within the token target. Adding a stage: its own file (a pure function) and one entry here.
import { toolSchemaHash } from '../../runtime/contract/validation.js';
import type { JsonSchema } from '../../runtime/types.js';
import { need, type GenContext, type Stage, Diagnostics } from '../context.js';
import type { Schema } from '../load/document.js';
import type { ReportMatch } from '../load/overrides.js';
import { checkBudget } from '../util.js';
import { byName, toolDef } from './assemble.js';
import { routeAuth } from './auth.js';
import { bindingOf } from './bind.js';
import { NESTED_DEPTHS, TOKEN_TARGET, withinBudget } from './budget.js';
import { classifyOperation } from './classify.js';
import { describeTool, reportPageSentence, toolTitle } from './description.js';
import { linkTools } from './links.js';
import { buildOperations } from './model.js';
import { nameAll, resourceOf, singular } from './name.js';
import { portableInputSchema } from './portable.js';
import { withPrecheck } from './precheck.js';
import { buildToolSchemas } from './schema.js';
import { renderSdk } from './sdk.js';
import { selectOperations } from './select.js';
import { strictInputSchema } from './strict.js';
import { withTimeInputs } from './timeinput.js';
import { buildWaitTools, type WaitTarget } from './wait.js';

/** Runs a stage over every draft. */
const perDraft = (name: string, run: (ctx: GenContext, d: GenContext['drafts'][number]) => void): Stage => ({
  name,
  run: (ctx) => {
    for (const d of ctx.drafts) run(ctx, d);
  },
});

const model: Stage = {
  name: 'model',
  run: (ctx) => {
    ctx.operations = buildOperations(ctx.spec);
  },
};

/** auth and select together make the drafts: which key each operation needs, then which become tools. */
const auth: Stage = {
  name: 'auth',
  run: (ctx) => {
    const { ops, warnings } = routeAuth(ctx.operations, ctx.overrides);
    ctx.diagnostics.warnAll('auth', warnings);
    ctx.drafts = ops.map((op) => ({ op }));
  },
};

const select: Stage = {
  name: 'select',
  run: (ctx) => {
    const { kept, excluded } = selectOperations(
      ctx.drafts.map((d) => d.op),
      ctx.overrides.exclude,
    );
    const keep = new Set(kept);
    ctx.drafts = ctx.drafts.filter((d) => keep.has(d.op));
    ctx.excluded = excluded;
  },
};

const classify = perDraft('classify', (ctx, d) => {
  d.cls = classifyOperation(ctx.spec, d.op, ctx.operations, ctx.overrides);
});

/** Names are made for all operations at once: clashes can only be seen together. */
const name: Stage = {
  name: 'name',
  run: (ctx) => {
    const ov = ctx.overrides;
    const { names, clashes } = nameAll(
      ctx.drafts.map((d) => ({
        op: d.op,
        ...need(d, 'cls', 'name'),
        override: ov.operations.get(d.op.operationId)?.name,
      })),
      ov.namespaces,
    );
    ctx.drafts.forEach((d, i) => {
      d.name = names[i];
      const res = resourceOf(d.op.path, ov.namespaces, need(d, 'cls', 'name').actionSegment);
      d.resource = {
        many: res.words.join('_'),
        one: [...res.words.slice(0, -1), singular(res.words[res.words.length - 1] ?? '')].join('_'),
      };
    });
    ctx.clashes = clashes;
  },
};

const link: Stage = {
  name: 'link',
  run: (ctx) => {
    const links = linkTools(
      ctx.spec,
      ctx.drafts.map((d) => ({ op: d.op, method: need(d, 'cls', 'link').method, name: need(d, 'name', 'link') })),
      ctx.overrides,
    );
    ctx.drafts.forEach((d, i) => {
      d.links = links[i];
    });
  },
};

// --- per nesting depth ---------------------------------------------------------------------------------------------

const schema = perDraft('schema', (ctx, d) => {
  d.schemas = buildToolSchemas(ctx.spec, d.op, {
    nestedDepth: ctx.nestedDepth,
    queryObjectStyle: ctx.overrides.encoding.queryObjectStyle,
    streamQueryParams: ctx.overrides.streamQueryParams,
  });
});

const bind = perDraft('bind', (ctx, d) => {
  d.binding = bindingOf(d.op, need(d, 'cls', 'bind').method, need(d, 'schemas', 'bind'), ctx.overrides);
});

const describe = perDraft('describe', (ctx, d) => {
  const { method } = need(d, 'cls', 'describe');
  const { many, one } = need(d, 'resource', 'describe');
  const { http, pagination, report } = need(d, 'binding', 'describe');
  d.title = toolTitle(method, one, many, report?.report);
  d.description = describeTool(
    {
      op: d.op,
      name: need(d, 'name', 'describe'),
      method,
      resourceWords: many,
      resourceSingular: one,
      links: need(d, 'links', 'describe'),
      ...(report ? { report } : {}),
      fileFields: need(d, 'schemas', 'describe').body?.fileFields ?? [],
      binary: http.response === 'binary',
      ...(pagination ? { pagination } : {}),
    },
    ctx.overrides,
  );
});

const assemble = perDraft('assemble', (_ctx, d) => {
  const cls = need(d, 'cls', 'assemble');
  const schemas = need(d, 'schemas', 'assemble');
  const { http, pagination, report } = need(d, 'binding', 'assemble');
  d.tool = toolDef(
    {
      name: need(d, 'name', 'assemble'),
      title: need(d, 'title', 'assemble'),
      description: need(d, 'description', 'assemble'),
      operationId: d.op.operationId,
      method: cls.method,
      access: cls.access,
      tags: cls.tags,
      deprecated: d.op.deprecated,
      inputSchema: schemas.inputSchema,
      annotations: cls.annotations,
      http,
      ...(pagination ? { pagination } : {}),
      ...(report ? { usageBuckets: true } : {}),
    },
    schemas.validation,
  );
  d.validation = schemas.validation;
});

/** Time inputs and upload pre-checks change the tool and its full schema; a changed schema gets a new hash. */
const refine = perDraft('timeinput+precheck', (ctx, d) => {
  const validation = need(d, 'validation', 'precheck');
  const checked = withPrecheck(withTimeInputs(need(d, 'tool', 'timeinput')), validation);
  if (checked.validation !== validation) {
    checked.tool.schemaHash = toolSchemaHash({ validation: checked.validation, http: checked.tool.http });
  }
  d.tool = checked.tool;
  d.validation = checked.validation;
  ctx.tools.push(checked.tool);
  ctx.validation.set(checked.tool.name, checked.validation);
});

/** One wait tool per polled get tool; several async prefixes may share one (both run endpoints). */
const wait: Stage = {
  name: 'wait',
  run: (ctx) => {
    const targets = new Map<string, WaitTarget>();
    for (const d of ctx.drafts) {
      const w = need(d, 'links', 'wait').wait;
      if (w && !targets.has(w.pollTool)) targets.set(w.pollTool, w.target);
    }
    const waits = buildWaitTools({ targets, tools: ctx.tools, validation: Object.fromEntries(ctx.validation) });
    ctx.tools.push(...waits.tools);
    for (const [n, s] of Object.entries(waits.validation)) ctx.validation.set(n, s);
    ctx.diagnostics.warnAll('wait', waits.warnings);
  },
};

/** Only the advertised schema changes; the full one (and the missing detail) comes from the validation schema. */
const portable: Stage = {
  name: 'portable',
  run: (ctx) => {
    const allDefs = Object.fromEntries(ctx.defs);
    for (const t of ctx.tools) {
      const full = ctx.validation.get(t.name) ?? {};
      const strict = strictInputSchema(portableInputSchema(t.inputSchema, full, allDefs), full, allDefs);
      t.inputSchema = strict.inputSchema;
      if (strict.argForms) t.argForms = strict.argForms;
    }
    ctx.tools.sort(byName);
  },
};

/** What depends on how deep the listed schemas go, run once per depth by `budget`. */
export const DEPTH_STAGES: readonly Stage[] = [schema, bind, describe, assemble, refine, wait, portable];

const budget: Stage = {
  name: 'budget',
  run: (ctx) => {
    const depths = ctx.options.nestedDepth !== undefined ? [ctx.options.nestedDepth] : NESTED_DEPTHS;
    for (const [i, depth] of depths.entries()) {
      const attempt: GenContext = {
        ...ctx,
        diagnostics: new Diagnostics(),
        nestedDepth: depth,
        drafts: ctx.drafts.map(({ op, cls, name, resource, links }) => ({ op, cls, name, resource, links })),
        tools: [],
        validation: new Map<string, JsonSchema>(),
      };
      for (const stage of DEPTH_STAGES) stage.run(attempt);
      if (i === depths.length - 1 || withinBudget(attempt.tools, ctx.options.tokenTarget ?? TOKEN_TARGET)) {
        Object.assign(ctx, {
          nestedDepth: depth,
          drafts: attempt.drafts,
          tools: attempt.tools,
          validation: attempt.validation,
        });
        ctx.diagnostics.absorb(attempt.diagnostics);
        return;
      }
    }
  },
};

/** Operation names were checked when they were made; this also covers the wait tools. */
const checkNames: Stage = {
  name: 'check-names',
  run: (ctx) => {
    for (const t of ctx.tools)
      checkBudget(t.name, t.wait ? 'the wait tool naming (generator/stages/wait.ts)' : 'specs/overrides.yaml');
  },
};

/** The code-mode SDK from the final tools and the success responses the model stage read. */
const sdk: Stage = {
  name: 'sdk',
  run: (ctx) => {
    const responses = new Map<string, Schema | undefined>();
    for (const d of ctx.drafts) {
      const { status, schema: body } = d.op.success;
      // Only an explicit 2xx code types a result (a `default` or `2XX` response stays untyped).
      if (!responses.has(d.op.operationId)) responses.set(d.op.operationId, /^2\d\d$/.test(status) ? body : undefined);
    }
    const reports = new Map<string, ReportMatch>();
    const notes = new Map<string, string[]>();
    for (const d of ctx.drafts) {
      const { report, pagination } = need(d, 'binding', 'sdk');
      if (!report) continue;
      const name = need(d, 'name', 'sdk');
      reports.set(name, report);
      if (pagination?.limitArg) notes.set(name, [reportPageSentence(pagination.limitArg, report.endpoint)]);
    }
    ctx.sdk = renderSdk(ctx.spec, ctx.tools, { responses, reports, notes });
  },
};

export const STAGES: readonly Stage[] = [model, auth, select, classify, name, link, budget, checkNames, sdk];
