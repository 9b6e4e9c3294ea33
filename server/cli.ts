import { parseArgs } from "node:util";
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { type CommandArgs, sendToServer } from "./control/channel.ts";
import { createAdminCommand, seedDemoCommand, ticketCount } from "./control/commands.ts";
import type { Database$ } from "./db/connection.ts";
import { DataDirBusyError, type LockHolder, readLockHolder } from "./db/data-dir-lock.ts";
import { openAndMigrate, startServer, stopOnSignals } from "./main.ts";

const HELP: Record<string, string> = {
  main: `Usage: parley <command> [options]

Commands:
  start          Start Parley (HTTP API, web apps, job workers); migrates the database first
  migrate        Apply pending database migrations and exit
  create-admin   Create an admin account (or reset an existing one's password and role)
  seed-demo      Fill a workspace with realistic demo data

While "parley start" runs on the embedded database, create-admin and seed-demo run inside it;
migrate and a second start are refused.
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

Adds six weeks of a demo team's work to a workspace (default: the first one, which the admin
created at first start signs into): groups, agents, organizations, customers and tickets whose
threads read in order. Prints what it made and how to sign in as a demo agent. Running it again
reuses the same people, gives the demo agents a new password and adds tickets. A workspace with
an active mailbox is refused: demo replies would be mailed to made-up customers. --tickets
defaults to 300.`,
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
      const database = await openAndMigrate(config, "migrate");
      await database.close();
      process.stdout.write("Database is up to date.\n");
      return;
    }
    case "create-admin":
    case "seed-demo": {
      if (command === "create-admin" && !values.email) fail(`--email is required\n\n${HELP["create-admin"]}`);
      if (command === "seed-demo") {
        try {
          ticketCount(values);
        } catch (err) {
          fail((err as Error).message);
        }
      }
      const args = {
        email: values.email,
        name: values.name,
        password: values.password,
        workspace: values.workspace,
        tickets: values.tickets,
      };
      process.stdout.write(await runCommand(config, command, args));
      return;
    }
  }
}

// In this process when the data is free; in the running server when it holds the embedded database.
async function runCommand(config: Config, command: "create-admin" | "seed-demo", args: CommandArgs) {
  const run = command === "create-admin" ? createAdminCommand : seedDemoCommand;
  let database: Database$;
  try {
    database = await openAndMigrate(config, command);
  } catch (err) {
    if (!(err instanceof DataDirBusyError) || err.holder?.command !== "start") throw err;
    const holder = await serverChannel(err.dataDir, err);
    process.stderr.write(
      `parley: running ${command} in the Parley server that holds ${err.dataDir} (pid ${holder.pid}).\n`,
    );
    try {
      return await sendToServer(holder, command, args);
    } catch (sendErr) {
      throw new Error(
        `${command} could not run in the Parley server (pid ${holder.pid}) that holds ${err.dataDir}: ` +
          `${(sendErr as Error).message}\nRun it where that server runs, or stop the server first (kill ${holder.pid}) and run it again.`,
      );
    }
  }
  try {
    return await run(database.db, args);
  } finally {
    await database.close();
  }
}

// A server writes its channel into the lock file once it is up; while it starts, wait for it.
async function serverChannel(dataDir: string, busy: DataDirBusyError): Promise<LockHolder> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const holder = readLockHolder(dataDir);
    if (holder?.channel && holder.command === "start") return holder;
    if (!holder || holder.pid !== busy.holder?.pid || Date.now() > deadline) throw busy;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
