import pg from "pg";

// A PostgreSQL database of the test file's own, for tests of installation-wide background work
// (sweepers, queue workers) that would otherwise also pick up rows other test files left behind in
// the shared test database. Returns null on PGlite, where every test file has its own database.
export async function ownDatabaseUrl(label: string): Promise<{ url: string; drop(): Promise<void> } | null> {
  const shared = process.env.DATABASE_URL;
  if (!shared) return null;
  const name = `parley_${label}_${process.pid}_${Date.now().toString(36)}`.toLowerCase();
  const admin = new pg.Client({ connectionString: shared });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(shared);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: shared });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
