// A Prism mock server started from the pinned spec: it answers with examples from the spec and, more
// importantly, validates every request we send against the same document (422 on a bad request).
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { resolveSpecText } from '../generator/load/load.js';
import { repoRoot } from '../generator/pin.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startPrism(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { text } = await resolveSpecText();
  const dir = path.join(repoRoot, '.cache');
  await mkdir(dir, { recursive: true });
  const specFile = path.join(dir, 'prism-spec.yaml');
  await writeFile(specFile, text);
  const port = await freePort();
  const bin = path.join(repoRoot, 'node_modules', '.bin', 'prism');
  const child = spawn(bin, ['mock', specFile, '-h', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prism exited with ${child.exitCode}:\n${output.slice(-2000)}`);
    if (/Prism is listening/.test(output)) break;
    if (Date.now() > deadline) {
      process.kill(-child.pid!, 'SIGKILL');
      throw new Error(`prism did not start within 90 s:\n${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}
