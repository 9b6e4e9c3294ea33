import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

// `parley start` as an operator runs it, in a process of its own that a test can kill -9 and
// start again on the same data.
export interface ChildParley {
  url: string;
  child: ChildProcess;
  output: () => string;
}

const REPO_ROOT = join(import.meta.dirname, "..", "..");

// Starts the server with the test's environment on a free HTTP port and waits until /readyz
// answers 200 (listeners such as SMTP start before HTTP, so they are up too).
export async function startChildParley(env: Record<string, string>): Promise<ChildParley> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server/cli.ts", "start"], {
    cwd: REPO_ROOT,
    env: {
      ...(process.env as Record<string, string>),
      PARLEY_LOG_LEVEL: "warn",
      ...env,
      PARLEY_PORT: String(port),
    },
  });
  let output = "";
  child.stdout.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const url = `http://127.0.0.1:${port}`;
  // A first start creates the database and runs every migration; on a loaded 2-core machine that
  // has taken over a minute.
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`parley exited (${child.exitCode}) during start:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) return { url, child, output: () => output };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`parley was not ready within 120 s:\n${output}`);
}

export async function stopChildParley(server: ChildParley, signal: NodeJS.Signals) {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill(signal);
  await exited;
}
