// Markdown for a PR comment or a job summary: what a reviewer must act on comes first (security, then breaking),
// the long tail (descriptions) is folded away.
import { cutText } from '../runtime/redact.js';
import type { Change, DriftReport } from './types.js';

/** GitHub rejects PR comments over 65,536 characters; stay below with room for a heading the caller may add. */
export const DEFAULT_MAX_CHARS = 60_000;

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const short = (sha: string) => (sha ? sha.slice(0, 12) : 'unknown');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const TEXT_KINDS = new Set<Change['kind']>(['description-changed', 'param-description-changed', 'title-changed']);
const TOOL_LEVEL = new Set<Change['kind']>(['tool-added', 'tool-removed', 'tool-renamed']);

function side(r: DriftReport['from']): string {
  const where = r.kind === 'pin' ? 'the pin' : `${r.kind} \`${r.ref}\``;
  return `${r.title} ${r.version} (OpenAPI ${r.openapi}, sha256 \`${short(r.sha256)}\`, ${plural(r.tools, 'tool')}; ${where})`;
}

function badge(c: Change): string {
  if (c.security) return '⚠️';
  if (c.breaking) return '💥';
  return '➕';
}

export interface RenderOptions {
  /** Cut the report to fit; the JSON report always has everything. */
  maxChars?: number;
}

export function renderMarkdown(report: DriftReport, opts: RenderOptions = {}): string {
  const max = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const full = render(report, true);
  if (full.length <= max) return full;
  // Descriptions are the bulk and the least actionable: drop them first, then cut hard.
  const lean = render(report, false);
  if (lean.length <= max) return lean;
  const note = '\n\n_… report truncated to fit; the JSON report (`--json`) has every change._\n';
  const cut = lean.slice(0, max - note.length);
  return cut.slice(0, cut.lastIndexOf('\n')) + note;
}

function render(report: DriftReport, withText: boolean): string {
  const s = report.summary;
  const out: string[] = [];
  out.push('## OpenAI spec drift', '');
  out.push(`- **from:** ${side(report.from)}`, `- **to:** ${side(report.to)}`, '');
  out.push(
    `**${plural(s.added, 'tool')} added, ${s.removed} removed, ${s.renamed} renamed, ${s.moved} moved; ` +
      `${plural(s.changed, 'tool')} changed, ${s.unchanged} unchanged.** ` +
      `${s.breaking ? `💥 **${plural(s.breaking, 'breaking change')}** in ${plural(s.breakingTools, 'tool')}` : 'No breaking changes'}; ` +
      `${s.security ? `⚠️ **${plural(s.security, 'security-relevant change')}**` : 'no security-relevant changes'}.`,
    '',
  );
  const excluded = excludedSection(report);
  if (!report.changes.length) {
    out.push('No differences between the two catalogs.', '', ...excluded);
    return out.join('\n');
  }

  const security = report.changes.filter((c) => c.security);
  if (security.length) {
    out.push('### ⚠️ Security-relevant changes', '');
    out.push(
      'Tools that now write, need an admin key, or are destructive. Check approval policies before merging.',
      '',
    );
    out.push('| tool | change | why it matters |', '|---|---|---|');
    for (const c of security) out.push(`| \`${c.tool}\` | ${esc(c.message)} | ${esc(c.reason)} |`);
    out.push('');
  }

  const breaking = report.changes.filter((c) => c.breaking && !c.security);
  if (breaking.length) {
    out.push(`### 💥 Breaking changes (${breaking.length})`, '');
    out.push('| tool | change | why |', '|---|---|---|');
    for (const c of breaking) out.push(`| \`${c.tool}\` | ${esc(c.message)} | ${esc(c.reason)} |`);
    out.push('');
  }

  if (report.added.length) {
    const writes = report.added.filter((t) => t.access === 'write').length;
    const admin = report.added.filter((t) => t.auth === 'admin').length;
    out.push(`### Tools added (${report.added.length}: ${writes} write, ${admin} admin)`, '');
    out.push('| tool | operation | access | auth |', '|---|---|---|---|');
    for (const t of report.added) {
      out.push(`| \`${t.name}\` | \`${t.operationId}\` ${t.verb} \`${esc(t.path)}\` | ${t.access} | ${t.auth} |`);
    }
    out.push('');
  }
  if (report.removed.length) {
    out.push(`### Tools removed (${report.removed.length})`, '');
    out.push('| tool | operation | note |', '|---|---|---|');
    for (const t of report.removed) {
      const note = t.excludedReason ? `now excluded: ${esc(t.excludedReason)}` : 'operation gone from the spec';
      out.push(`| \`${t.name}\` | \`${t.operationId}\` ${t.verb} \`${esc(t.path)}\` | ${note} |`);
    }
    out.push('');
  }
  if (report.renamed.length || report.moved.length) {
    out.push(`### Tools renamed (${report.renamed.length}) and operations moved (${report.moved.length})`, '');
    out.push('| tool | was | operation | matched by |', '|---|---|---|---|');
    for (const r of report.renamed) {
      const op = r.moved
        ? `${r.from.verb} \`${esc(r.from.path)}\` → ${r.to.verb} \`${esc(r.to.path)}\``
        : `${r.to.verb} \`${esc(r.to.path)}\``;
      out.push(`| \`${r.to.name}\` | \`${r.from.name}\` | \`${r.to.operationId}\` ${op} | ${r.matchedBy} |`);
    }
    for (const m of report.moved) {
      if (report.renamed.some((r) => r.to.name === m.name)) continue;
      out.push(`| \`${m.name}\` | (same name) | \`${m.operationId}\` ${esc(m.from)} → ${esc(m.to)} | name |`);
    }
    out.push('');
  }

  out.push(...excluded);

  const perTool = new Map<string, Change[]>();
  for (const c of report.changes) {
    if (TOOL_LEVEL.has(c.kind) || TEXT_KINDS.has(c.kind)) continue;
    perTool.set(c.tool, [...(perTool.get(c.tool) ?? []), c]);
  }
  if (perTool.size) {
    out.push(`### Changed tools (${perTool.size})`, '');
    out.push('💥 breaking · ⚠️ security-relevant · ➕ non-breaking', '');
    for (const [tool, cs] of perTool) {
      out.push(`- \`${tool}\``);
      for (const c of cs) out.push(`  - ${badge(c)} ${c.message}`);
    }
    out.push('');
  }

  const text = report.changes.filter((c) => TEXT_KINDS.has(c.kind));
  if (text.length) {
    const tools = new Set(text.map((c) => c.tool)).size;
    out.push(`### Description changes (${text.length} in ${plural(tools, 'tool')})`, '');
    if (withText) {
      out.push('<details><summary>Show</summary>', '');
      for (const c of text) {
        out.push(`- \`${c.tool}\`: ${esc(c.message)}`);
        const added = (c.detail?.added as string[] | undefined) ?? [];
        const removed = (c.detail?.removed as string[] | undefined) ?? [];
        for (const x of removed.slice(0, 2)) out.push(`  - − ${esc(cutText(x, 160))}`);
        for (const x of added.slice(0, 2)) out.push(`  - + ${esc(cutText(x, 160))}`);
      }
      out.push('', '</details>', '');
    } else {
      out.push('_Omitted for length; see the JSON report._', '');
    }
  }
  return out.join('\n');
}

/** Operations the generator leaves out: not tools, but a reviewer should know the spec grew or shrank there. */
function excludedSection(report: DriftReport): string[] {
  const { added, removed } = report.excluded;
  if (!added.length && !removed.length) return [];
  const out = [`### Excluded operations (${added.length} added, ${removed.length} removed; not tools)`, ''];
  out.push('| operation | change | why it is excluded |', '|---|---|---|');
  for (const e of added)
    out.push(`| \`${e.operationId}\` ${e.verb} \`${esc(e.path)}\` | added to the spec | ${esc(e.reason)} |`);
  for (const e of removed)
    out.push(`| \`${e.operationId}\` ${e.verb} \`${esc(e.path)}\` | removed from the spec | ${esc(e.reason)} |`);
  out.push('');
  return out;
}
