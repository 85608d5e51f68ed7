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

/** `FineTuningJob` in the spec. */
export interface FineTuningJobRecord {
  id: string;
  object: 'fine_tuning.job';
  created_at: number;
  error: { code: string; message: string; param: string | null } | null;
  fine_tuned_model: string | null;
  finished_at: number | null;
  hyperparameters: {
    batch_size: number | 'auto';
    learning_rate_multiplier: number | 'auto';
    n_epochs: number | 'auto';
  };
  model: string;
  organization_id: string;
  result_files: string[];
  status: 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  trained_tokens: number | null;
  training_file: string;
  validation_file: string | null;
  seed: number;
  estimated_finish: number | null;
  metadata: Record<string, string> | null;
}

/** `OpenAIFile` in the spec; the uploaded bytes are kept beside it. */
export interface FileRecord {
  file: {
    id: string;
    object: 'file';
    bytes: number;
    created_at: number;
    filename: string;
    purpose: 'assistants' | 'batch' | 'fine-tune' | 'vision' | 'user_data' | 'evals';
    status: 'uploaded' | 'processed' | 'error';
  };
  content: Buffer;
}

export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

/** `VectorStoreObject` in the spec. */
export interface VectorStoreRecord {
  id: string;
  object: 'vector_store';
  created_at: number;
  name: string;
  usage_bytes: number;
  file_counts: FileCounts;
  status: 'expired' | 'in_progress' | 'completed';
  last_active_at: number;
  metadata: Record<string, string> | null;
}

/** `VectorStoreFileObject` in the spec. */
export interface VectorStoreFileRecord {
  id: string;
  object: 'vector_store.file';
  usage_bytes: number;
  created_at: number;
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  last_error: { code: string; message: string } | null;
}

/** `VectorStoreFileBatchObject` in the spec (with the files it attaches, kept beside it). */
export interface FileBatchRecord {
  batch: {
    id: string;
    object: 'vector_store.files_batch';
    created_at: number;
    vector_store_id: string;
    status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
    file_counts: FileCounts;
  };
  file_ids: string[];
}

/** `Batch` in the spec. */
export interface BatchRecord {
  id: string;
  object: 'batch';
  endpoint: string;
  errors: {
    object: 'list';
    data: Array<{ code: string; message: string; param: string | null; line: number | null }>;
  } | null;
  input_file_id: string;
  completion_window: string;
  status: 'validating' | 'failed' | 'in_progress' | 'finalizing' | 'completed' | 'expired' | 'cancelling' | 'cancelled';
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
}

export interface FakeState {
  /** The fake's clock, Unix seconds. Seed data is placed relative to it. */
  now: number;
  projects: ProjectRecord[];
  apiKeys: ApiKeyRecord[];
  completionsUsage: CompletionsUsageRecord[];
  /** Newest first, as OpenAI lists them. */
  fineTuningJobs: FineTuningJobRecord[];
  files: FileRecord[];
  vectorStores: VectorStoreRecord[];
  vectorStoreFiles: VectorStoreFileRecord[];
  fileBatches: FileBatchRecord[];
  /** Newest first, as OpenAI lists them. */
  batches: BatchRecord[];
  /**
   * Live objects move on when they are read: after each retrieve the object takes the next status here
   * (so a poller sees every state once, in order, without the test depending on wall-clock time).
   */
  pending: Record<string, string[]>;
  /** Next number for generated ids, per prefix. */
  counters: Record<string, number>;
}

export function nextId(state: FakeState, prefix: string): string {
  const n = (state.counters[prefix] ?? 0) + 1;
  state.counters[prefix] = n;
  return `${prefix}_${String(n).padStart(3, '0')}`;
}

export function startOfDay(t: number): number {
  return Math.floor(t / DAY) * DAY;
}
