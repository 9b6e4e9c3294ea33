import { randomBytes } from "node:crypto";
import type { Db } from "../db/connection.ts";
import type { CommandArgs, ControlHandler } from "./channel.ts";

// The CLI commands that may run beside a live server. Each runs the same way in the CLI's own
// process (when it can take the data directory) and inside the running server (over the control
// channel), and returns what the user should read.

function workspaceId(args: CommandArgs) {
  if (args.workspace === undefined) return undefined;
  const id = Number(args.workspace);
  if (!Number.isInteger(id) || id < 1) throw new Error("--workspace must be a workspace id (a whole number)");
  return id;
}

export async function createAdminCommand(db: Db, args: CommandArgs) {
  const { createAdmin } = await import("../workspaces/admin-cli.ts");
  if (!args.email) throw new Error("--email is required");
  const password = args.password ?? randomBytes(12).toString("base64url");
  if (password.length < 10) throw new Error("--password must be at least 10 characters");
  const result = await createAdmin(db, {
    email: args.email,
    name: args.name,
    password,
    workspaceId: workspaceId(args),
  });
  return (
    `${result.created ? "Created" : "Updated"} admin ${result.email} in workspace ${result.workspaceId}.\n` +
    (args.password ? "" : `Password: ${password}\n`)
  );
}

export function ticketCount(args: CommandArgs) {
  const tickets = args.tickets === undefined ? 300 : Number(args.tickets);
  if (!Number.isInteger(tickets) || tickets < 1 || tickets > 1_000_000)
    throw new Error("--tickets must be a whole number from 1 to 1000000");
  return tickets;
}

export async function seedDemoCommand(db: Db, args: CommandArgs) {
  const { seedDemo, describeSeed } = await import("../demo/seed.ts");
  const result = await seedDemo(db, { tickets: ticketCount(args), workspaceId: workspaceId(args) });
  return describeSeed(result);
}

export function controlCommands(db: Db): Record<string, ControlHandler> {
  return {
    "create-admin": (args) => createAdminCommand(db, args),
    "seed-demo": (args) => seedDemoCommand(db, args),
  };
}
