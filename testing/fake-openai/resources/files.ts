// /files: upload (multipart: file + purpose), list, retrieve. Uploaded bytes are kept so tests can read them.

import { cursorPage } from '../pagination.js';
import { FakeHttpError, notFound, type Router } from '../router.js';
import { nextId, type FakeState, type FileRecord } from '../state.js';

const PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;

/** What the server hands a route for a multipart request. */
export interface MultipartBody {
  fields: Record<string, string>;
  files: Record<string, { filename: string; type: string; bytes: Buffer }>;
}

export function isMultipart(body: unknown): body is MultipartBody {
  return !!body && typeof body === 'object' && 'fields' in body && 'files' in body;
}

export function findFile(state: FakeState, id: string): FileRecord {
  const rec = state.files.find((f) => f.file.id === id);
  if (!rec) throw notFound('file', id);
  return rec;
}

export function registerFiles(router: Router, state: FakeState): void {
  router.post('/files', 'project', ({ body }) => {
    if (!isMultipart(body))
      throw new FakeHttpError(400, 'Uploads must be multipart/form-data.', 'invalid_request_error');
    const upload = body.files.file;
    if (!upload)
      throw new FakeHttpError(
        400,
        "Missing required parameter: 'file'.",
        'invalid_request_error',
        'file',
        'missing_required_parameter',
      );
    const purpose = body.fields.purpose as FileRecord['file']['purpose'];
    if (!PURPOSES.includes(purpose)) {
      throw new FakeHttpError(
        400,
        `Invalid value for 'purpose': expected one of ${PURPOSES.join(', ')}.`,
        'invalid_request_error',
        'purpose',
        'invalid_value',
      );
    }
    const rec: FileRecord = {
      file: {
        id: nextId(state, 'file').replace('_', '-'),
        object: 'file',
        bytes: upload.bytes.byteLength,
        created_at: state.now,
        filename: upload.filename,
        purpose,
        status: 'processed',
      },
      content: upload.bytes,
    };
    state.files.push(rec);
    return rec.file;
  });

  router.get('/files', 'project', ({ query }) =>
    cursorPage(
      state.files.map((f) => f.file),
      query,
      10_000,
    ),
  );

  router.get('/files/{file_id}', 'project', ({ params }) => findFile(state, params.file_id).file);
}
