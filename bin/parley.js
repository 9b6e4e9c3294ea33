#!/usr/bin/env node
// Parley's server is TypeScript run directly by Node 24 (type stripping). When the node on PATH
// is older, re-run with the Node 24 that `npm install` put in node_modules.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "server", "cli.ts");
const [major, minor] = process.versions.node.split(".").map(Number);
const stripsTypes = major > 22 || (major === 22 && minor >= 18);
const local = join(root, "node_modules", "node", "bin", "node");
const node = stripsTypes ? process.execPath : existsSync(local) ? local : null;
if (!node) {
  process.stderr.write("parley: needs Node.js 22.18 or newer (run npm install to get Node 24 locally)\n");
  process.exit(1);
}
const child = spawn(node, [cli, ...process.argv.slice(2)], { stdio: "inherit" });
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
