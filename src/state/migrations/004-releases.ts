import type { Migration } from '../migrate.ts'

/**
 * Releases: where each colour's model server listens and what runs it (xrayops' own process
 * supervisor or systemd), a generation number that counts traffic switches (the gateway names it
 * on every answer), and the release lock that keeps two release commands from deploying at once
 * (its holder is a process; a holder that died no longer holds it).
 */
export default {
  version: 4,
  name: 'releases',
  up: (db) =>
    db.exec(`
      ALTER TABLE environments ADD COLUMN host TEXT;
      ALTER TABLE environments ADD COLUMN runner TEXT CHECK (runner IN ('process', 'systemd'));
      ALTER TABLE release_state ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE release_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER,                          -- the holder, or NULL when free
        started TEXT,                         -- the holder's start time (/proc/<pid>/stat), against pid reuse
        hostname TEXT,
        operation TEXT,                       -- what it is doing: deploy blue 2.0.0
        since TEXT
      );
      INSERT INTO release_lock (id) VALUES (1);
    `),
} satisfies Migration
