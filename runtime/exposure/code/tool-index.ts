// A compact index of the tools in the server's scope, for execute_code's description: with the naming convention
// and the required arguments of list tools, a model can often write a read-only program without a search_docs
// round trip. Built from the selected tools, so a scoped server names only what it can call. Writes and other
// actions are only counted: their arguments are too rich to guess, search_docs documents them.

import type { ToolDef } from '../../contract/catalog.js';

interface Group {
  /** How a tool is named: `prefix` + resource + `suffix`. */
  prefix: string;
  suffix: string;
  /** Listed by resource (reads), or only counted. */
  listed: boolean;
  /** Show required arguments after the resource, e.g. `project_api_keys(project_id)`. */
  required?: boolean;
}

const GROUPS: Group[] = [
  { prefix: 'list_all_open_ai_', suffix: '', listed: true, required: true },
  { prefix: 'get_single_open_ai_', suffix: '_by_id', listed: true },
  { prefix: 'wait_for_open_ai_', suffix: '_by_id', listed: true },
  { prefix: 'create_a_open_ai_', suffix: '', listed: false },
  { prefix: 'update_a_open_ai_', suffix: '_by_id', listed: false },
  { prefix: 'delete_a_open_ai_', suffix: '_by_id', listed: false },
];

/** Beyond this many characters the listed groups are only counted too (keeps both descriptions ≤ 1,500 tokens). */
export const MAX_INDEX_CHARS = 4_000;

const pattern = (g: Group) => `${g.prefix}<x>${g.suffix}`;

export function toolIndex(tools: readonly ToolDef[], maxChars = MAX_INDEX_CHARS): string {
  const members = GROUPS.map(() => [] as string[]);
  const noLimit: string[] = [];
  let others = 0;
  for (const t of tools) {
    const i = GROUPS.findIndex(
      (g) =>
        t.name.startsWith(g.prefix) && t.name.endsWith(g.suffix) && t.name.length > g.prefix.length + g.suffix.length,
    );
    if (i < 0) {
      others++;
      continue;
    }
    const g = GROUPS[i]!;
    const resource = t.name.slice(g.prefix.length, t.name.length - g.suffix.length);
    const required = g.required ? ((t.inputSchema.required as string[] | undefined) ?? []) : [];
    if (g.required && !(t.inputSchema.properties as Record<string, unknown> | undefined)?.limit) noLimit.push(resource);
    members[i]!.push(required.length ? `${resource}(${required.join(', ')})` : resource);
  }
  const listed: string[] = [];
  const counted: string[] = [];
  let chars = 0;
  GROUPS.forEach((g, i) => {
    const names = members[i]!;
    if (!names.length) return;
    const line = `- ${pattern(g)}: ${names.join(', ')}`;
    if (g.listed && chars + line.length <= maxChars) {
      listed.push(line);
      chars += line.length;
    } else counted.push(`${names.length} ${pattern(g)}`);
  });
  if (others) counted.push(`${others} other action${others === 1 ? '' : 's'}`);
  if (!listed.length && !counted.length) return '';
  const limit = !noLimit.length ? 'all take' : noLimit.length <= 3 ? `all but ${noLimit.join(', ')} take` : 'most take';
  return [
    `Tools in this server's scope (<x> is the resource; list tools' required arguments in brackets, ${limit} an optional limit):`,
    ...listed,
    ...(counted.length ? [`Also ${counted.join(', ')}: find them with search_docs.`] : []),
  ].join('\n');
}
