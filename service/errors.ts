// Typed errors for the managed-server service. One class, a stable `code` per failure, and the HTTP status the
// REST API answers with, so the CLI and REST report the same failure the same way.

export type ServiceErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unknown_field'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthorized'
  | 'forbidden'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'conflict'
  | 'missing_secret_key'
  | 'too_many_requests'
  | 'database_busy'
  | 'storage_full'
  | 'storage_error'
  | 'unavailable'
  | 'secret_key_mismatch'
  | 'data_dir'
  | 'database_unavailable'
  | 'internal';

const STATUS: Record<ServiceErrorCode, number> = {
  invalid_request: 400,
  invalid_json: 400,
  unknown_field: 400,
  not_found: 404,
  unauthorized: 401,
  forbidden: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  conflict: 409,
  missing_secret_key: 500,
  too_many_requests: 429,
  // Another process holds the database's write lock past the retry deadline.
  database_busy: 503,
  // 507 Insufficient Storage: the disk holding the database is full.
  storage_full: 507,
  storage_error: 500,
  unavailable: 503,
  secret_key_mismatch: 500,
  data_dir: 500,
  // The shared database went away (a restart, a failover): worth retrying; the pool reconnects when it is back.
  database_unavailable: 503,
  method_not_allowed: 405,
  internal: 500,
};

export class ServiceError extends Error {
  readonly status: number;
  /** Refused because the target is outside the caller's scope, though answered as `not_found` (audited as denied). */
  denied = false;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServiceError';
    this.status = STATUS[code];
  }

  toJSON(): { error: { code: string; message: string; field?: string } } {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}
