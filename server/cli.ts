import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config.ts";
import { openAndMigrate, startServer, stopOnSignals } from "./main.ts";

const HELP: Record<string, string> = {
  main: `Usage: parley <command> [options]

Commands:
  start          Start Parley (HTTP API, web apps, job workers); migrates the database first
  migrate        Apply pending database migrations and exit
  create-admin   Create an admin account (or reset an existing one's password and role)
  seed-demo      Fill a workspace with realistic demo data

Run "parley <command> --help" for a command's options.
Settings come from the environment; see docs/configuration.md.`,
  start: `Usage: parley start

Starts Parley on PARLEY_HOST:PARLEY_PORT (default 127.0.0.1:3000). Without DATABASE_URL the data
lives in an embedded PostgreSQL (PGlite) in PARLEY_DATA_DIR (default ./data). On first start it
creates a workspace and an admin account and prints how to sign in.`,
  migrate: `Usage: parley migrate

Applies every pending migration in server/db/migrations and prints their names.`,
  "create-admin": `Usage: parley create-admin --email <email> [--name <name>] [--password <password>] [--workspace <id>]

Creates an admin in the workspace (default: the first one). If the email already belongs to a user
there, that user becomes an admin and gets the new password. Without --password a random one is
generated and printed.`,
  "seed-demo": `Usage: parley seed-demo [--tickets <n>] [--workspace <id>]

Adds agents, groups, organizations, contacts and tickets with threads across channels to a
workspace (default: a new workspace named "Demo"). --tickets defaults to 300.`,
};

function fail(message: string): never {
  process.stderr.write(`parley: ${message}\n`);
  process.exit(1);
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${HELP.main}\n`);
    return;
  }
  if (!(command in HELP) || command === "main") fail(`unknown command "${command}". Run "parley --help".`);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        help: { type: "boolean", short: "h" },
        email: { type: "string" },
        name: { type: "string" },
        password: { type: "string" },
        workspace: { type: "string" },
        tickets: { type: "string" },
      },
      strict: true,
    });
  } catch (err) {
    fail(`${(err as Error).message}\n\n${HELP[command]}`);
  }
  if (parsed.values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    return;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const values = parsed.values as Record<string, string | undefined>;
  switch (command) {
    case "start": {
      const server = await startServer(config);
      stopOnSignals(server, config.shutdownGraceMs);
      return;
    }
    case "migrate": {
      const database = await openAndMigrate(config);
      await database.close();
      process.stdout.write("Database is up to date.\n");
      return;
    }
    case "create-admin": {
      const { createAdmin } = await import("./workspaces/admin-cli.ts");
      if (!values.email) fail(`--email is required\n\n${HELP["create-admin"]}`);
      const password = values.password ?? randomBytes(12).toString("base64url");
      if (password.length < 10) fail("--password must be at least 10 characters");
      const database = await openAndMigrate(config);
      try {
        const result = await createAdmin(database.db, {
          email: values.email,
          name: values.name,
          password,
          workspaceId: values.workspace ? Number(values.workspace) : undefined,
        });
        process.stdout.write(
          `${result.created ? "Created" : "Updated"} admin ${result.email} in workspace ${result.workspaceId}.\n` +
            (values.password ? "" : `Password: ${password}\n`),
        );
      } catch (err) {
        fail((err as Error).message);
      } finally {
        await database.close();
      }
      return;
    }
    case "seed-demo": {
      const { seedDemo } = await import("./demo/seed.ts");
      const tickets = values.tickets ? Number(values.tickets) : 300;
      if (!Number.isInteger(tickets) || tickets < 1 || tickets > 1_000_000) {
        fail("--tickets must be a whole number from 1 to 1000000");
      }
      const database = await openAndMigrate(config);
      try {
        const result = await seedDemo(database.db, {
          tickets,
          workspaceId: values.workspace ? Number(values.workspace) : undefined,
        });
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        await database.close();
      }
      return;
    }
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
