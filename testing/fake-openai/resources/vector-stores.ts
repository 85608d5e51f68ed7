// /vector_stores: create and retrieve stores; attach files one at a time or as a file batch. Attached files start
// in_progress and complete on the next retrieve of the file or the batch, updating the store's file_counts.

import { FakeHttpError, notFound, type Router } from '../router.js';
import {
  nextId,
  type FakeState,
  type FileBatchRecord,
  type FileCounts,
  type VectorStoreFileRecord,
  type VectorStoreRecord,
} from '../state.js';
import { findFile } from './files.js';

const counts = (files: VectorStoreFileRecord[]): FileCounts => ({
  in_progress: files.filter((f) => f.status === 'in_progress').length,
  completed: files.filter((f) => f.status === 'completed').length,
  failed: files.filter((f) => f.status === 'failed').length,
  cancelled: files.filter((f) => f.status === 'cancelled').length,
  total: files.length,
});

function findStore(state: FakeState, id: string): VectorStoreRecord {
  const vs = state.vectorStores.find((v) => v.id === id);
  if (!vs) throw notFound('vector store', id);
  return vs;
}

function refresh(state: FakeState, vs: VectorStoreRecord): void {
  const files = state.vectorStoreFiles.filter((f) => f.vector_store_id === vs.id);
  vs.file_counts = counts(files);
  vs.usage_bytes = files.filter((f) => f.status === 'completed').reduce((n, f) => n + f.usage_bytes, 0);
  vs.status = vs.file_counts.in_progress ? 'in_progress' : 'completed';
  vs.last_active_at = state.now;
}

function attach(state: FakeState, vs: VectorStoreRecord, fileId: string): VectorStoreFileRecord {
  const file = findFile(state, fileId).file;
  const rec: VectorStoreFileRecord = {
    id: file.id,
    object: 'vector_store.file',
    usage_bytes: file.bytes,
    created_at: state.now,
    vector_store_id: vs.id,
    status: 'in_progress',
    last_error: null,
  };
  state.vectorStoreFiles = state.vectorStoreFiles.filter((f) => !(f.vector_store_id === vs.id && f.id === file.id));
  state.vectorStoreFiles.push(rec);
  return rec;
}

function fileIdsOf(body: unknown): string[] {
  const b = (body ?? {}) as { file_ids?: unknown; files?: Array<{ file_id?: unknown }> };
  const ids = Array.isArray(b.file_ids) ? b.file_ids : Array.isArray(b.files) ? b.files.map((f) => f?.file_id) : [];
  if (!ids.length || !ids.every((i) => typeof i === 'string')) {
    throw new FakeHttpError(
      400,
      "Missing required parameter: 'file_ids' (or 'files').",
      'invalid_request_error',
      'file_ids',
      'missing_required_parameter',
    );
  }
  return ids as string[];
}

export function registerVectorStores(router: Router, state: FakeState): void {
  router.post('/vector_stores', 'project', ({ body }) => {
    const b = (body ?? {}) as { name?: unknown; file_ids?: unknown; metadata?: unknown };
    const vs: VectorStoreRecord = {
      id: nextId(state, 'vs'),
      object: 'vector_store',
      created_at: state.now,
      name: typeof b.name === 'string' ? b.name : '',
      usage_bytes: 0,
      file_counts: counts([]),
      status: 'completed',
      last_active_at: state.now,
      metadata: (b.metadata as Record<string, string> | undefined) ?? null,
    };
    state.vectorStores.push(vs);
    if (Array.isArray(b.file_ids)) for (const id of b.file_ids) attach(state, vs, String(id));
    refresh(state, vs);
    return vs;
  });

  router.get('/vector_stores/{vector_store_id}', 'project', ({ params }) => findStore(state, params.vector_store_id));

  router.post('/vector_stores/{vector_store_id}/files', 'project', ({ params, body }) => {
    const vs = findStore(state, params.vector_store_id);
    const [id] = fileIdsOf({ file_ids: [(body as { file_id?: unknown })?.file_id].filter(Boolean) });
    const rec = attach(state, vs, id!);
    state.pending[`${vs.id}/${rec.id}`] = ['completed'];
    refresh(state, vs);
    return rec;
  });

  router.get('/vector_stores/{vector_store_id}/files/{file_id}', 'project', ({ params }) => {
    const vs = findStore(state, params.vector_store_id);
    const rec = state.vectorStoreFiles.find((f) => f.vector_store_id === vs.id && f.id === params.file_id);
    if (!rec) throw notFound('vector store file', params.file_id);
    const shown = structuredClone(rec);
    const next = state.pending[`${vs.id}/${rec.id}`]?.shift();
    if (next) {
      rec.status = next as VectorStoreFileRecord['status'];
      refresh(state, vs);
    }
    return shown;
  });

  router.post('/vector_stores/{vector_store_id}/file_batches', 'project', ({ params, body }) => {
    const vs = findStore(state, params.vector_store_id);
    const ids = fileIdsOf(body);
    const files = ids.map((id) => attach(state, vs, id));
    const rec: FileBatchRecord = {
      batch: {
        id: nextId(state, 'vsfb'),
        object: 'vector_store.files_batch',
        created_at: state.now,
        vector_store_id: vs.id,
        status: 'in_progress',
        file_counts: counts(files),
      },
      file_ids: ids,
    };
    state.fileBatches.push(rec);
    state.pending[rec.batch.id] = ['completed'];
    refresh(state, vs);
    return rec.batch;
  });

  router.get('/vector_stores/{vector_store_id}/file_batches/{batch_id}', 'project', ({ params }) => {
    const vs = findStore(state, params.vector_store_id);
    const rec = state.fileBatches.find((b) => b.batch.vector_store_id === vs.id && b.batch.id === params.batch_id);
    if (!rec) throw notFound('vector store file batch', params.batch_id);
    const shown = structuredClone(rec.batch);
    if (state.pending[rec.batch.id]?.shift() === 'completed') {
      for (const f of state.vectorStoreFiles)
        if (f.vector_store_id === vs.id && rec.file_ids.includes(f.id)) f.status = 'completed';
      rec.batch.status = 'completed';
      rec.batch.file_counts = counts(
        state.vectorStoreFiles.filter((f) => f.vector_store_id === vs.id && rec.file_ids.includes(f.id)),
      );
      refresh(state, vs);
    }
    return shown;
  });
}
