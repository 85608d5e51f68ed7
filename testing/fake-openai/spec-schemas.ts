// Checks the fake's answers against the response schemas of the pinned spec, so the fake cannot drift from
// what OpenAI documents: every route's 2xx body must validate against the schema the spec gives that route.

import { SpecDocument } from '../../generator/load/document.js';
import { loadSpec } from '../../generator/load/load.js';
import { normalizeForValidation, refToDefs, resolveRecursiveRefs } from '../../generator/load/normalize.js';
import { DEFS_ID } from '../../runtime/contract/validation.js';
import { SPECS } from '../specs.js';

type Validate = ((value: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };

export interface SpecResponses {
  /** Problems of `body` as the success response of `method path` (a spec path template); empty when it conforms. */
  check(method: string, template: string, body: unknown): string[];
}

export async function loadSpecResponses(): Promise<SpecResponses> {
  const { doc } = await loadSpec({ spec: SPECS.current, skipValidation: true });
  const [{ default: Ajv }, { default: addFormats }] = await Promise.all([
    import('ajv/dist/2020.js'),
    import('ajv-formats'),
  ]);
  const ajv = new (Ajv as any)({ strict: false, allErrors: true });
  (addFormats as any)(ajv);
  // OpenAI's own format names for integer timestamps; the type check is what matters.
  ajv.addFormat('unixtime', true);
  // The component schemas as the generator normalizes them for validation.json (the one normalizer).
  const spec = new SpecDocument(resolveRecursiveRefs(doc));
  const defs = Object.fromEntries(
    [...spec.componentSchemas()].map(([k, v]) => [k, normalizeForValidation(v, spec.openapi30)]),
  );
  ajv.addSchema({ $id: DEFS_ID, $defs: defs });
  const compiled = new Map<string, Validate>();
  return {
    check(method, template, body) {
      const key = `${method} ${template}`;
      let fn = compiled.get(key);
      if (!fn) {
        const op = (doc.paths as any)?.[template]?.[method.toLowerCase()];
        const schema = op?.responses?.['200']?.content?.['application/json']?.schema;
        if (!schema) throw new Error(`the spec has no JSON 200 response for ${key}`);
        fn = ajv.compile({ $ref: refToDefs(String(schema.$ref)) }) as Validate;
        compiled.set(key, fn);
      }
      return fn(body) ? [] : (fn.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(root)'} ${e.message}`);
    },
  };
}
