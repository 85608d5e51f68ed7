// The fake's world: plain records shaped like the spec's schemas, seeded deterministically relative to
// `now` so a test can compute what the right answer is. Resource files read and change it.

export const DAY = 86_400;

/** `Project` in the spec. */
export interface ProjectRecord {
  id: string;
  object: 'organization.project';
  name: string | null;
  created_at: number;
  archived_at: number | null;
  status: 'active' | 'archived';
  external_key_id: string | null;
}

/** `ProjectApiKey` in the spec (the owning project is kept beside it, not in the object). */
export interface ApiKeyRecord {
  project_id: string;
  key: {
    object: 'organization.project.api_key';
    redacted_value: string;
    name: string;
    created_at: number;
    last_used_at: number | null;
    id: string;
    owner_project_access: 'active' | 'inactive';
    owner: {
      type: 'user';
      user: { id: string; email: string; name: string; created_at: number; role: string };
    };
  };
}

/** One day of completions usage for one (project, key, model, batch) combination; the usage endpoint groups these. */
export interface CompletionsUsageRecord {
  /** UTC midnight of the day, Unix seconds. */
  day: number;
  project_id: string;
  user_id: string;
  api_key_id: string;
  model: string;
  batch: boolean;
  service_tier: string;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
}

export interface FakeState {
  /** The fake's clock, Unix seconds. Seed data is placed relative to it. */
  now: number;
  projects: ProjectRecord[];
  apiKeys: ApiKeyRecord[];
  completionsUsage: CompletionsUsageRecord[];
  /** Next number for generated ids, per prefix. */
  counters: Record<string, number>;
}

export function nextId(state: FakeState, prefix: string): string {
  const n = (state.counters[prefix] = (state.counters[prefix] ?? 0) + 1);
  return `${prefix}_${String(n).padStart(3, '0')}`;
}

export function startOfDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}
