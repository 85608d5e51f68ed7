// Stage 6 (on the built tools): upload pre-checks. OpenAI rejects a malformed fine-tune or batch JSONL only after
// the upload and a validation job; the runtime checks such files line by line first. This stage marks the upload
// tools it applies to and adds the `skip_validation` escape hatch to their schemas.
import type { JsonSchema, ToolDef } from '../../runtime/types.js';

/** Purposes whose files the runtime knows how to check. */
export const CHECKED_PURPOSES = ['fine-tune', 'batch'];

const SKIP: JsonSchema = { type: 'boolean', description: 'Skip the local JSONL format check.' };

function withSkip(schema: JsonSchema): JsonSchema {
  return { ...schema, properties: { ...((schema.properties ?? {}) as object), skip_validation: SKIP } };
}

/** A tool that uploads one file with a `purpose` that can be `fine-tune` or `batch` gets a pre-check. */
export function withPrecheck(tool: ToolDef, validation: JsonSchema): { tool: ToolDef; validation: JsonSchema } {
  const props = (tool.inputSchema.properties ?? {}) as Record<string, JsonSchema>;
  const fileArg = tool.http.body?.fileFields.length === 1 ? tool.http.body.fileFields[0] : undefined;
  const purposes = props.purpose?.enum;
  if (!fileArg || !Array.isArray(purposes) || !CHECKED_PURPOSES.some((p) => purposes.includes(p)))
    return { tool, validation };
  if ('skip_validation' in props)
    throw new Error(`${tool.name}: the spec already has an argument named skip_validation`);
  return {
    tool: { ...tool, inputSchema: withSkip(tool.inputSchema), precheck: { fileArg, purposeArg: 'purpose' } },
    validation: withSkip(validation),
  };
}
