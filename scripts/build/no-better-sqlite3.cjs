// Stands in for better-sqlite3 in the executable's bundle (build.config.ts): its Node 24 has
// SQLite built in (node:sqlite), which src/state/sqlite.ts uses there.
throw new Error('better-sqlite3 is not in this executable; it uses node:sqlite')
