import type { Migration } from '../migrate.ts'

/**
 * The blue and green environments (which registered model each runs, on which port, in which
 * state), the live colour and the last model known good. The registry reads them to never
 * archive a model in use; releases write them.
 */
export default {
  version: 2,
  name: 'environments',
  up: (db) =>
    db.exec(`
      CREATE TABLE environments (
        colour TEXT PRIMARY KEY CHECK (colour IN ('blue', 'green')),
        model_id INTEGER REFERENCES models (id),
        port INTEGER,
        state TEXT NOT NULL DEFAULT 'stopped', -- stopped, starting, ready, failed...
        updated_at TEXT NOT NULL
      );
      CREATE TABLE release_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        live_colour TEXT CHECK (live_colour IN ('blue', 'green')),
        last_good_model_id INTEGER REFERENCES models (id),
        updated_at TEXT NOT NULL
      );
      INSERT INTO environments (colour, updated_at) VALUES ('blue', strftime('%Y-%m-%dT%H:%M:%fZ')), ('green', strftime('%Y-%m-%dT%H:%M:%fZ'));
      INSERT INTO release_state (id, updated_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ'));
    `),
} satisfies Migration
