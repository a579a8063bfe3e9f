import type { Migration } from '../migrate.ts'

/** Registered models, and the append-only event history every change writes to. */
export default {
  version: 1,
  name: 'registry',
  up: (db) =>
    db.exec(`
      CREATE TABLE models (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        version TEXT NOT NULL,                -- semver, without a leading v
        sha256 TEXT NOT NULL UNIQUE,          -- the store's file is models/<sha256>.onnx
        bytes INTEGER NOT NULL,
        architecture TEXT NOT NULL,
        accuracy REAL,
        notes TEXT,
        warmup_score REAL NOT NULL,           -- P(positive) of the warm-up image, measured at registration
        status TEXT NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'archived')),
        registered_at TEXT NOT NULL,          -- ISO 8601, UTC
        registered_by TEXT NOT NULL,
        archived_at TEXT,
        UNIQUE (name, version)
      );
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,                  -- OS user, or token name
        action TEXT NOT NULL,                 -- model.register, model.archive, token.create...
        subject TEXT NOT NULL,                -- what changed: name@version, token name...
        reason TEXT,
        details TEXT                          -- JSON
      );
      CREATE INDEX events_action ON events (action, id);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    `),
} satisfies Migration
