// Deterministic seed data: five projects (one archived), keys created over the past year, and 14 days of
// completions usage in which one project clearly dominates. Same `now` and `seed` → same world.

import { seedBatches } from './resources/batches.js';
import { seedFineTuning } from './seed-fine-tuning.js';
import { DAY, nextId, startOfDay, type ApiKeyRecord, type FakeState } from './state.js';

export interface SeedOptions {
  /** Unix seconds; default: the current time. */
  now?: number;
  /** PRNG seed for token counts and dates. Default 1. */
  seed?: number;
  /** Days of usage ending today (today's bucket included). Default 14. */
  usageDays?: number;
  /** Active projects added after the five named ones (3 keys each, moderate usage), for larger organizations. Default 0. */
  extraProjects?: number;
}

/** mulberry32: small, fast, and the same sequence everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROJECTS: Array<{ name: string; ageDays: number; archivedDaysAgo?: number; keys: number; weight: number }> = [
  { name: 'Default project', ageDays: 400, keys: 3, weight: 1 },
  { name: 'Support bot', ageDays: 300, keys: 5, weight: 6 },
  { name: 'Search indexing', ageDays: 200, keys: 4, weight: 2.5 },
  { name: 'Internal tools', ageDays: 120, keys: 2, weight: 0.7 },
  { name: 'Old experiment', ageDays: 380, archivedDaysAgo: 60, keys: 2, weight: 0 },
];
const MODELS = ['gpt-4.1-mini', 'gpt-4.1'];
const USERS = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra'];

export function seedState(options: SeedOptions = {}): FakeState {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const rand = prng(options.seed ?? 1);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[int(0, xs.length - 1)];
    if (x === undefined) throw new Error('seed: pick from an empty list');
    return x;
  };
  const state: FakeState = {
    now,
    projects: [],
    apiKeys: [],
    completionsUsage: [],
    counters: {},
    fineTuningJobs: [],
    files: [],
    vectorStores: [],
    vectorStoreFiles: [],
    fileBatches: [],
    batches: [],
    pending: {},
  };

  const users = USERS.map((name, i) => ({
    id: `user_${String(i + 1).padStart(3, '0')}`,
    email: `${name.split(' ')[0]!.toLowerCase()}@example.com`,
    name,
    created_at: now - 420 * DAY + i * DAY,
    role: i === 0 ? 'owner' : 'member',
  }));

  const weights = new Map<string, number>();
  const extra = Array.from({ length: options.extraProjects ?? 0 }, (_, i) => ({
    name: `Team project ${i + 1}`,
    ageDays: 100 + ((i * 37) % 250),
    keys: 3,
    weight: 0.3 + ((i * 7) % 10) / 10,
  }));
  for (const p of [...PROJECTS, ...extra] as typeof PROJECTS) {
    const id = nextId(state, 'proj');
    const archived = p.archivedDaysAgo !== undefined;
    state.projects.push({
      id,
      object: 'organization.project',
      name: p.name,
      created_at: now - p.ageDays * DAY,
      archived_at: archived ? now - p.archivedDaysAgo! * DAY : null,
      status: archived ? 'archived' : 'active',
      external_key_id: null,
    });
    weights.set(id, p.weight);
    for (let k = 0; k < p.keys; k++) {
      // Spread over the past year, never before the project existed; some well past 90 days, some recent.
      const age = int(1, Math.min(p.ageDays - 1, 360));
      const user = pick(users);
      const keyId = nextId(state, 'key');
      const rec: ApiKeyRecord = {
        project_id: id,
        key: {
          object: 'organization.project.api_key',
          redacted_value: `sk-proj-...${keyId.slice(-3)}${String.fromCharCode(97 + k)}`,
          name: `${p.name} key ${k + 1}`,
          created_at: now - age * DAY - int(0, DAY - 1),
          last_used_at: archived ? null : now - int(0, 5) * DAY - int(0, DAY - 1),
          id: keyId,
          owner_project_access: archived ? 'inactive' : 'active',
          owner: { type: 'user', user: { ...user } },
        },
      };
      state.apiKeys.push(rec);
    }
  }

  const days = options.usageDays ?? 14;
  const today = startOfDay(now);
  for (let d = days - 1; d >= 0; d--) {
    const day = today - d * DAY;
    for (const project of state.projects) {
      const w = weights.get(project.id) ?? 0;
      if (w === 0) continue;
      const keys = state.apiKeys.filter((k) => k.project_id === project.id && k.key.created_at < day);
      if (!keys.length) continue;
      for (const model of MODELS) {
        const key = pick(keys);
        const requests = Math.round(int(20, 200) * w);
        const input = requests * int(300, 1200);
        state.completionsUsage.push({
          day,
          project_id: project.id,
          user_id: key.key.owner.user.id,
          api_key_id: key.key.id,
          model,
          batch: rand() < 0.2,
          service_tier: 'default',
          input_tokens: input,
          input_cached_tokens: Math.floor(input * rand() * 0.3),
          output_tokens: requests * int(50, 400),
          num_model_requests: requests,
        });
      }
    }
  }
  seedFineTuning(state, rand);
  seedBatches(state);
  return state;
}
