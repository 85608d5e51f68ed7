// Benchmark of the agent-workflow checks, on files at the size limits users hit:
//   1. the fine-tune pre-check of a 20,000-example chat file, and the batch pre-check of a full 50,000-line file,
//      each against a baseline measured in the same run: splitting and JSON.parse of the same lines (the floor);
//   2. resolving a human time (`-7d`, `start of month`, an ISO date) against a plain integer pass-through.
// Medians over N runs; the machine is shared, so the ratios matter more than the milliseconds.
//
//   npx tsx scripts/bench-agent.ts -- [--runs 7]
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { checkBatchFile, checkFineTuneFile } from '../runtime/precheck.js';
import { parseTime } from '../runtime/timeinput.js';
import { median } from './bench-stats.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const runs = Number(values.runs);
const time = (fn: () => unknown) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

const chatLine = (i: number) =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a support assistant for Acme.' },
      { role: 'user', content: `Where is order ${i}? It was due yesterday and I need it for a trip.` },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `c${i}`, type: 'function', function: { name: 'lookup_order', arguments: `{"id":${i}}` } }],
      },
      { role: 'tool', tool_call_id: `c${i}`, content: '{"status":"shipped"}' },
      { role: 'assistant', content: `Order ${i} has shipped and should arrive tomorrow.` },
    ],
  });
const batchLine = (i: number) =>
  JSON.stringify({
    custom_id: `req-${i}`,
    method: 'POST',
    url: '/v1/chat/completions',
    body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Summarize ticket ${i}.` }] },
  });
const fineTune = Array.from({ length: 20_000 }, (_, i) => chatLine(i)).join('\n');
const batch = Array.from({ length: 50_000 }, (_, i) => batchLine(i)).join('\n');
const parseOnly = (text: string) => text.split('\n').map((l) => JSON.parse(l));

const rows: Array<[string, number[], number[]]> = [
  ['fine-tune pre-check, 20,000 examples', [], []],
  ['batch pre-check, 50,000 requests', [], []],
];
for (let r = 0; r < runs; r++) {
  rows[0]![2].push(time(() => parseOnly(fineTune)));
  rows[0]![1].push(
    time(() => {
      if (checkFineTuneFile(fineTune).length) throw new Error('bench file should be valid');
    }),
  );
  rows[1]![2].push(time(() => parseOnly(batch)));
  rows[1]![1].push(
    time(() => {
      if (checkBatchFile(batch, Buffer.byteLength(batch)).length) throw new Error('bench file should be valid');
    }),
  );
}
console.log(`bench-agent: ${runs} runs; medians`);
for (const [label, ours, base] of rows) {
  console.log(
    `  ${label.padEnd(40)} ${median(ours).toFixed(1)} ms   baseline split+JSON.parse ${median(base).toFixed(1)} ms   ratio x${(median(ours) / median(base)).toFixed(2)}`,
  );
}
const inputs = ['-7d', 'start of month', '2026-11-01', '2026-11-01T09:30:00Z'];
const n = 20_000;
const human: number[] = [];
const ints: number[] = [];
for (let r = 0; r < runs; r++) {
  human.push(
    time(() => {
      for (let i = 0; i < n; i++) parseTime(inputs[i % inputs.length]!);
    }),
  );
  ints.push(
    time(() => {
      for (let i = 0; i < n; i++) parseTime(1763424000 + i);
    }),
  );
}
console.log(
  `  human time → unix seconds               ${((median(human) / n) * 1000).toFixed(2)} µs each   baseline integer ${((median(ints) / n) * 1000).toFixed(3)} µs`,
);
