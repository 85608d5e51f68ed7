// Arguments synthesized from a tool's full validation schema with json-schema-faker, then checked with
// ajv against the same schema, so every sample is one the runtime itself would accept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { generate } from 'json-schema-faker';
import { repoRoot } from '../../generator/pin.js';
import type { JsonSchema, ValidationBundle } from '../../runtime/types.js';

const bundle = JSON.parse(
  readFileSync(path.join(repoRoot, 'generated', 'validation.json'), 'utf8'),
) as ValidationBundle;

const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: false });
(addFormats as unknown as typeof addFormats.default)(ajv);
ajv.addSchema({ $id: 'openai-defs', $defs: bundle.$defs });

/** The tool schema with `openai-defs#/$defs/X` made local, since the faker resolves only local refs. */
function selfContained(schema: JsonSchema): JsonSchema {
  const text = JSON.stringify(schema).replaceAll('"openai-defs#/$defs/', '"#/$defs/');
  return {
    ...(JSON.parse(text) as JsonSchema),
    $defs: JSON.parse(JSON.stringify(bundle.$defs).replaceAll('"openai-defs#/$defs/', '"#/$defs/')),
  };
}

export interface Sample {
  args: Record<string, unknown>;
  /** Seeds tried before one validated. */
  attempts: number;
}

/** Required-only arguments (what an agent minimally sends); ids are plain safe strings. */
export async function sampleArgs(tool: string, maxAttempts = 25): Promise<Sample> {
  const schema = bundle.tools[tool];
  if (!schema) throw new Error(`no validation schema for ${tool}`);
  if (!ajv.getSchema(tool)) ajv.addSchema(schema, tool);
  const validate = ajv.getSchema(tool)!;
  const local = selfContained(schema);
  let lastErrors = '';
  for (let seed = 1; seed <= maxAttempts; seed++) {
    const args = (await generate(local, {
      seed,
      optionalsProbability: 0,
      refDepth: 3,
      maxItems: 2,
      minLength: 1,
      maxLength: 24,
      failOnInvalidTypes: false,
    })) as Record<string, unknown>;
    if (validate(args)) return { args, attempts: seed };
    lastErrors = ajv.errorsText(validate.errors);
  }
  throw new Error(`could not synthesize valid arguments for ${tool} in ${maxAttempts} seeds: ${lastErrors}`);
}
