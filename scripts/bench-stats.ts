// Statistics and load loops the benchmarks share. The machine is shared and noisy, so every figure they report is a
// median.
import autocannon from 'autocannon';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** The p-th percentile (0–100) of a sample, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;
}

/**
 * `calls` calls with `concurrency` in flight (a closed loop: each of `concurrency` workers starts its next call as
 * its last one ends). With `calls` equal to `concurrency` it is one burst, whose wall time includes the slowest call;
 * more calls per round measure sustained throughput, and longer rounds make /proc's 10 ms CPU ticks a smaller error.
 */
export async function closedLoop(
  concurrency: number,
  calls: number,
  one: () => Promise<boolean>,
): Promise<{ latencies: number[]; errors: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const worker = async () => {
    while (started < calls) {
      started++;
      const t = performance.now();
      const ok = await one().catch(() => false);
      latencies.push(performance.now() - t);
      if (!ok) errors++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, worker));
  return { latencies, errors };
}

/**
 * A closed loop driven by autocannon (raw sockets, the request formatted once), `concurrency` connections each
 * sending its next call as its last one is answered, for `seconds`: a few times less CPU per call than fetch in the
 * load generator, which on a 2-core machine shares the cores with what it measures. `urls` are taken evenly (the
 * connections split across them: client-side round robin). Only answers completed within the window count, each
 * body checked with `ok`; autocannon's own end (at its next 1 s tick) and its per-connection `amount` would blur both.
 */
export async function cannonLoop(
  urls: readonly string[],
  concurrency: number,
  seconds: number,
  request: { headers: Record<string, string>; body: string },
  ok: (status: number, body: string) => boolean,
  onFailure?: (what: string) => void,
): Promise<{ latencies: number[]; errors: number; calls: number; wall: number; answered: number }> {
  const latencies: number[] = [];
  let errors = 0;
  let answered = 0;
  const share = (total: number, i: number) => Math.floor(total / urls.length) + (i < total % urls.length ? 1 : 0);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const results = await Promise.all(
    urls.map((url, i) =>
      autocannon({
        url,
        connections: share(concurrency, i),
        duration: seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            headers: request.headers,
            body: request.body,
            onResponse: (status: number, body: string) => {
              if (performance.now() > end || ok(status, body)) return;
              errors++;
              onFailure?.(`${status} ${body.slice(0, 300)}`);
            },
          },
        ],
        setupClient: (client) => {
          client.on('response', (_status: number, _bytes: number, ms: number) => {
            answered++;
            if (performance.now() <= end) latencies.push(ms);
          });
        },
      }),
    ),
  );
  for (const r of results) errors += r.errors + r.timeouts;
  // `answered` also counts the calls answered after the window, until autocannon stopped: CPU time read around
  // this function is per answered call.
  return { latencies, errors, calls: latencies.length, wall: seconds * 1000, answered };
}
