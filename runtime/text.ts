// Sentences of descriptions, for the short forms of them shown to a model (discovery's search summaries, the SDK
// docs' summaries). Defined once: the generator uses the same rule when it writes the SDK docs.

/** "(e.g. a file)" and "(i.e. the default)" end no sentence; OpenAI's descriptions use both often. */
const ABBREVIATION = /(?:^|[\s(])(?:e\.g|i\.e|etc|vs|cf|approx|incl|[A-Z])\.$/i;

/** Length of the first sentence of `s` (through its `.`, `!` or `?`), or -1 when there is no sentence end. */
export function sentenceEnd(s: string): number {
  for (const m of s.matchAll(/[.!?](?=\s|$)/g)) {
    const end = m.index + 1;
    if (m[0] === '.' && ABBREVIATION.test(s.slice(0, end))) continue;
    return end;
  }
  return -1;
}

/** The first sentence of `text` (all of it when it has no sentence end), at most `max` characters. */
export function firstSentence(text: string, max: number): string {
  const end = sentenceEnd(text);
  return (end > 0 ? text.slice(0, end) : text).slice(0, max);
}
