// What a description now says differently, sentence by sentence: a reviewer wants that, not a character diff.

export type TextSummary = {
  summary: string;
  added: string[];
  removed: string[];
};

const sentences = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .split(/(?<=[.!?])\s+(?=[A-Z`*[(])/)
    .map((x) => x.trim())
    .filter(Boolean);

export function summarizeText(before: string, after: string): TextSummary {
  const a = sentences(before);
  const b = sentences(after);
  const removed = a.filter((x) => !b.includes(x));
  const added = b.filter((x) => !a.includes(x));
  const parts: string[] = [];
  if (!before.trim()) parts.push(`added (${after.length} chars)`);
  else if (!after.trim()) parts.push('removed');
  else if (!added.length && !removed.length) parts.push('whitespace/formatting only');
  else {
    if (added.length) parts.push(`+${added.length} sentence${added.length > 1 ? 's' : ''}`);
    if (removed.length) parts.push(`−${removed.length} sentence${removed.length > 1 ? 's' : ''}`);
    parts.push(`${before.length} → ${after.length} chars`);
  }
  return { summary: parts.join(', '), added, removed };
}
