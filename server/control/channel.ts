import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { rmSync } from "node:fs";
import { createConnection, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { FastifyBaseLogger } from "fastify";
import type { DataDirLock, LockHolder } from "../db/data-dir-lock.ts";

// How `parley seed-demo` and `parley create-admin` reach a server that holds the data directory:
// a local socket whose name the server writes into the lock file. On Linux it is an abstract
// socket (no file to go stale), on Windows a named pipe, elsewhere a socket file. Anyone on the
// machine may connect to an abstract socket, so both ends prove they know the lock file's token
// (HMAC over the other's nonce) before any command or password crosses: the client never talks to
// a process that merely took the name, and the server runs nothing for a process that cannot read
// the data directory.
//
// One request per connection, newline-delimited JSON:
//   server: {pid, command, nonce}        client: {nonce, proof}
//   server: {proof} or {error}           client: {command, args}
//   server: {output} or {error}

export type CommandArgs = Record<string, string | undefined>;
export type ControlHandler = (args: CommandArgs) => Promise<string>;

export interface ControlServer {
  close(): Promise<void>;
}

function proof(token: string, side: "client" | "server", nonce: string) {
  return createHmac("sha256", token).update(`${side}:${nonce}`).digest("hex");
}

function sameProof(given: unknown, expected: string) {
  if (typeof given !== "string" || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

function channelName(dataDir: string) {
  const id = randomBytes(16).toString("hex");
  if (process.platform === "linux") return `\0parley-${id}`;
  if (process.platform === "win32") return `\\\\.\\pipe\\parley-${id}`;
  // Socket paths are limited to ~104 bytes on macOS and the BSDs.
  const inDir = join(dataDir, "parley.sock");
  return inDir.length < 100 ? inDir : join(tmpdir(), `parley-${id.slice(0, 12)}.sock`);
}

function lines(socket: Socket) {
  const reader = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY })[
    Symbol.asyncIterator
  ]();
  return async (): Promise<Record<string, unknown>> => {
    const next = await reader.next();
    if (next.done) throw new Error("the connection closed early");
    return JSON.parse(next.value) as Record<string, unknown>;
  };
}

function send(socket: Socket, message: Record<string, unknown>) {
  socket.write(`${JSON.stringify(message)}\n`);
}

export async function serveControl(
  lock: DataDirLock,
  handlers: Record<string, ControlHandler>,
  log: FastifyBaseLogger,
): Promise<ControlServer> {
  const name = channelName(lock.dataDir);
  // We hold the directory's lock, so a socket file left by a killed holder is ours to replace.
  if (!name.startsWith("\0") && !name.startsWith("\\\\")) rmSync(name, { force: true });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    answer(socket)
      .catch((err) => {
        log.warn({ err }, "control command failed");
        if (socket.writable) send(socket, { error: (err as Error).message });
      })
      .finally(() => socket.end());
  });
  const answer = async (socket: Socket) => {
    const read = lines(socket);
    const nonce = randomBytes(16).toString("hex");
    send(socket, { pid: process.pid, command: lock.holder.command, nonce });
    const hello = await read();
    if (
      !sameProof(hello.proof, proof(lock.holder.token, "client", nonce)) ||
      typeof hello.nonce !== "string"
    ) {
      send(socket, { error: "not authorized: the proof does not match this server's lock file" });
      return;
    }
    send(socket, { proof: proof(lock.holder.token, "server", hello.nonce) });
    const request = await read();
    const handler = typeof request.command === "string" ? handlers[request.command] : undefined;
    if (!handler) {
      send(socket, { error: `the running server does not take "${String(request.command)}"` });
      return;
    }
    log.info({ command: request.command }, "running a CLI command for a local client");
    send(socket, { output: await handler((request.args ?? {}) as CommandArgs) });
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(name, () => {
      server.off("error", reject);
      resolve();
    });
  });
  lock.announceChannel(name);
  return {
    close: async () => {
      lock.announceChannel(null);
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

// Runs a command in the server that holds the directory and returns what it printed.
export async function sendToServer(holder: LockHolder, command: string, args: CommandArgs): Promise<string> {
  if (!holder.channel) throw new Error("the server does not take commands yet");
  const socket = createConnection(holder.channel);
  socket.setTimeout(15_000, () => socket.destroy(new Error("the server did not answer within 15 s")));
  const failed = new Promise<never>((_, reject) => socket.once("error", reject));
  const talk = async () => {
    const read = lines(socket);
    const hello = await read();
    if (typeof hello.nonce !== "string") throw new Error("the socket is not a Parley server's");
    const nonce = randomBytes(16).toString("hex");
    send(socket, { nonce, proof: proof(holder.token, "client", hello.nonce) });
    const accepted = await read();
    if (typeof accepted.error === "string") throw new Error(accepted.error);
    if (!sameProof(accepted.proof, proof(holder.token, "server", nonce)))
      throw new Error("the process on the socket is not the server that holds the lock");
    send(socket, { command, args });
    // Seeding many tickets takes longer than a handshake.
    socket.setTimeout(0);
    const result = await read();
    if (typeof result.error === "string") throw new Error(result.error);
    return String(result.output ?? "");
  };
  try {
    return await Promise.race([talk(), failed]);
  } finally {
    socket.destroy();
  }
}
