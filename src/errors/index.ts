/**
 * One error catalog: a stable `code`, an HTTP status used only at the server edge. Each code
 * means one thing: CONFIG_INVALID a setting (file, env, flag); FILE_NOT_FOUND / INVALID_FILE a
 * file or folder a command was given; UNREACHABLE a service that could not be reached; NOT_FOUND
 * an HTTP route. Usage mistakes are citty usage errors (usage printed, exit 1), not codes.
 */
export type ErrorCode =
  | 'EMPTY_INPUT'
  | 'INPUT_TOO_LARGE'
  | 'UNSUPPORTED_FORMAT'
  | 'CORRUPT_IMAGE'
  | 'TRUNCATED_IMAGE'
  | 'TOO_MANY_PIXELS'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_TOO_SMALL'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_CHECKSUM_MISMATCH'
  | 'MODEL_INVALID'
  | 'NO_GPU'
  | 'GPU_ERROR'
  | 'CONFIG_INVALID'
  | 'INFERENCE_FAILED'
  | 'BAD_REQUEST'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNKNOWN_MODEL'
  | 'MODEL_NOT_READY'
  | 'NOT_FOUND'
  | 'OVERLOADED'
  | 'DEADLINE_EXCEEDED'
  | 'FILE_NOT_FOUND'
  | 'INVALID_FILE'
  | 'UNREACHABLE'
  | 'SERVICE_FAILED'
  | 'TOOL_MISSING'
  | 'MONITORING_FAILED'
  | 'STATE_ERROR'
  | 'STATE_TOO_NEW'
  | 'INVALID_NAME'
  | 'INVALID_VERSION'
  | 'MODEL_NOT_ONNX'
  | 'MODEL_WRONG_IO'
  | 'MODEL_WRONG_ARCHITECTURE'
  | 'DUPLICATE_MODEL'
  | 'MODEL_VERSION_NOT_FOUND'
  | 'AMBIGUOUS_VERSION'
  | 'MODEL_IN_USE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TOKEN_EXISTS'
  | 'TOKEN_NOT_FOUND'
  | 'PREDICTION_NOT_FOUND'
  | 'FEEDBACK_EXISTS'
  | 'AUDIT_UNAVAILABLE'
  | 'DRIFT_PROFILE_MISSING'
  | 'UPSTREAM_NOT_READY'
  | 'UPSTREAM_TIMEOUT'
  | 'ENVIRONMENT_NOT_READY'
  | 'ENVIRONMENT_LIVE'
  | 'RELEASE_BUSY'
  | 'BACKUP_FAILED'
  | 'BACKUP_NOT_FOUND'
  | 'BACKUP_INVALID'
  | 'SERVICES_RUNNING'

const httpStatus: Record<ErrorCode, number> = {
  EMPTY_INPUT: 400,
  INPUT_TOO_LARGE: 413,
  UNSUPPORTED_FORMAT: 415,
  CORRUPT_IMAGE: 422,
  TRUNCATED_IMAGE: 422,
  TOO_MANY_PIXELS: 413,
  IMAGE_TOO_LARGE: 413,
  IMAGE_TOO_SMALL: 422,
  MODEL_NOT_FOUND: 500,
  MODEL_CHECKSUM_MISMATCH: 500,
  MODEL_INVALID: 500,
  NO_GPU: 503,
  GPU_ERROR: 503,
  CONFIG_INVALID: 500,
  INFERENCE_FAILED: 500,
  BAD_REQUEST: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_MODEL: 404,
  MODEL_NOT_READY: 503,
  NOT_FOUND: 404,
  OVERLOADED: 503,
  DEADLINE_EXCEEDED: 504,
  FILE_NOT_FOUND: 404,
  INVALID_FILE: 422,
  UNREACHABLE: 502,
  // A service manager command (systemctl, systemd-sysusers, kubectl) failed or is unavailable.
  SERVICE_FAILED: 500,
  TOOL_MISSING: 500,
  MONITORING_FAILED: 500,
  STATE_ERROR: 500,
  STATE_TOO_NEW: 500,
  INVALID_NAME: 400,
  INVALID_VERSION: 400,
  MODEL_NOT_ONNX: 422,
  MODEL_WRONG_IO: 422,
  MODEL_WRONG_ARCHITECTURE: 422,
  DUPLICATE_MODEL: 409,
  MODEL_VERSION_NOT_FOUND: 404,
  AMBIGUOUS_VERSION: 409,
  MODEL_IN_USE: 409,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  TOKEN_EXISTS: 409,
  TOKEN_NOT_FOUND: 404,
  PREDICTION_NOT_FOUND: 404,
  FEEDBACK_EXISTS: 409,
  // The audit trail is off (audit.enabled=false) or its database could not be opened.
  AUDIT_UNAVAILABLE: 503,
  DRIFT_PROFILE_MISSING: 404,
  // The gateway: the live colour is not ready (or none is live); it did not answer in time.
  UPSTREAM_NOT_READY: 503,
  UPSTREAM_TIMEOUT: 504,
  // Releases: a colour that must be ready is not; a change that would take the live colour down;
  // another release command holds the release lock.
  ENVIRONMENT_NOT_READY: 409,
  ENVIRONMENT_LIVE: 409,
  RELEASE_BUSY: 409,
  // Backups: one could not be written (a damaged model store, no database); none where named;
  // one failed verification (missing or changed file, truncated manifest, failed integrity check);
  // a restore refused while services use the state folder.
  BACKUP_FAILED: 500,
  BACKUP_NOT_FOUND: 404,
  BACKUP_INVALID: 422,
  SERVICES_RUNNING: 409,
}

export class XrayError extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>
  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, { cause: opts.cause })
    this.name = 'XrayError'
    this.code = code
    this.details = opts.details
  }
  get status(): number {
    return httpStatus[this.code]
  }
  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } }
  }
}

export const isXrayError = (e: unknown): e is XrayError => e instanceof XrayError
