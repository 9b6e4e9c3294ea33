import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

const MIGRATIONS_DIR = join(import.meta.dirname, "migrations");

// Migrations are the files in migrations/, ordered by their date-prefixed names.
class FolderMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
    const migrations: Record<string, Migration> = {};
    for (const file of files.sort()) {
      migrations[file.replace(/\.ts$/, "")] = await import(join(MIGRATIONS_DIR, file));
    }
    return migrations;
  }
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new FolderMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error");
    const cause = error instanceof Error ? error.message : String(error);
    throw new Error(`migration ${failed?.migrationName ?? "(unknown)"} failed: ${cause}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

export async function pendingMigrationCount(db: Kysely<any>): Promise<number> {
  const migrator = new Migrator({ db, provider: new FolderMigrations() });
  const all = await migrator.getMigrations();
  return all.filter((m) => !m.executedAt).length;
}

export async function databaseReachable(db: Kysely<any>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
