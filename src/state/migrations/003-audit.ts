import type { Migration } from '../migrate.ts'

/**
 * The audit trail: one row per finished prediction (no pixels, no patient identifiers), and the
 * radiologists' labels of predictions. Read by `xrayops audit`, `drift`, `data validate` and the
 * reports: volumes and latency by time (`at`), model version, source and client; feedback joined
 * on `prediction_id`. Rows older than audit.retention are deleted (feedback with them).
 */
export default {
  version: 3,
  name: 'audit',
  up: (db) =>
    db.exec(`
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, -- commit order
        id TEXT NOT NULL UNIQUE,              -- the prediction id (the request id the client got)
        at TEXT NOT NULL,                     -- ISO 8601 UTC, when the prediction finished
        instance TEXT NOT NULL,               -- the model server that answered (host:port)
        model_name TEXT NOT NULL,
        model_version TEXT NOT NULL,
        model_sha256 TEXT NOT NULL,
        input_sha256 TEXT NOT NULL,           -- of the bytes sent (image) or of the tensor
        input_bytes INTEGER NOT NULL,         -- 0 on cache hits
        input_kind TEXT NOT NULL CHECK (input_kind IN ('image', 'tensor')),
        format TEXT,                          -- png, jpeg, dicom; NULL without a decoded image
        width INTEGER,
        height INTEGER,
        bit_depth INTEGER,                    -- 8 or 16 (DICOM: bits stored)
        channels INTEGER,
        modality TEXT,                        -- DICOM (0008,0060)
        view TEXT,                            -- DICOM View Position (0018,5101)
        body_part TEXT,                       -- DICOM Body Part Examined (0018,0015)
        label TEXT NOT NULL,
        score REAL NOT NULL,                  -- P(positive label)
        probabilities TEXT NOT NULL,          -- JSON {label: p}
        threshold REAL NOT NULL,
        latency_ms REAL NOT NULL,             -- the service's total (queue + decode + model)
        timings TEXT NOT NULL,                -- JSON {queue, decode, preprocess, inference, total} in ms
        batch_size INTEGER NOT NULL,
        device TEXT NOT NULL,
        source TEXT NOT NULL,                 -- v1, batch, oip
        cached INTEGER NOT NULL,              -- 1: answered from the cache
        client TEXT,                          -- remote address
        quality_flags TEXT NOT NULL,          -- JSON list (src/imaging/quality.ts)
        stats TEXT                            -- JSON image statistics for drift (src/audit/image-stats.ts)
      );
      CREATE INDEX audit_at ON audit (at);
      CREATE INDEX audit_model ON audit (model_sha256, seq);
      CREATE TABLE feedback (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        prediction_id TEXT NOT NULL UNIQUE REFERENCES audit (id) ON DELETE CASCADE,
        at TEXT NOT NULL,
        true_label TEXT NOT NULL,
        predicted_label TEXT NOT NULL,        -- copied from the audit row
        model_sha256 TEXT NOT NULL,
        reviewer TEXT
      );
      CREATE INDEX feedback_model ON feedback (model_sha256, id);
    `),
} satisfies Migration
