import { randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fchmodSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  writeSync,
} from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

// PGlite is one process's database: a second process that opens the same directory corrupts it
// beyond repair. So whoever opens it first holds an exclusive lock on <dataDir>/parley.lock for
// as long as it runs, and everyone else is refused with the holder's pid and what to do instead.
// The lock is an open-file-description lock (Linux), flock (macOS) or LockFileEx (Windows) from
// fs-native-extensions: the kernel drops it when the holder exits, kill -9 included, and it holds
// across containers that share the directory. docs/decisions.md says why not a pid file.
const { tryLock } = createRequire(import.meta.url)("fs-native-extensions") as {
  tryLock(fd: number, offset: number, length: number): boolean;
};

// The lock covers one byte far past the holder's note rather than the whole file: Windows locks
// are mandatory, and others must still read who holds the directory.
const LOCKED_BYTE = 2 ** 30;

export const LOCK_FILE = "parley.lock";

// What the holder writes into the lock file. The token authenticates CLI commands sent to a running
// server (server/control/channel.ts); the file is 0600, so only those who may open the data
// directory anyway can read it.
export interface LockHolder {
  pid: number;
  command: string;
  channel: string | null;
  token: string;
}

export interface DataDirLock {
  dataDir: string;
  holder: LockHolder;
  announceChannel(channel: string | null): void;
  release(): void;
}

export class DataDirBusyError extends Error {
  readonly dataDir: string;
  readonly holder: LockHolder | null;
  constructor(dataDir: string, holder: LockHolder | null, wanted: string) {
    super(busyMessage(dataDir, holder, wanted));
    this.dataDir = dataDir;
    this.holder = holder;
  }
}

export function lockDataDir(dataDir: string, command: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const dir = realpathSync(dataDir);
  const file = join(dir, LOCK_FILE);
  const fd = openSync(file, constants.O_RDWR | constants.O_CREAT, 0o600);
  let locked = false;
  try {
    locked = tryLock(fd, LOCKED_BYTE, 1);
  } catch (err) {
    // Without a working lock a second process could corrupt the database: refuse rather than risk it.
    throw new Error(
      `cannot lock ${file} (${(err as Error).message}): the embedded database needs a file system ` +
        "with file locks (a local disk). Put PARLEY_DATA_DIR there, or use a PostgreSQL server (DATABASE_URL).",
    );
  } finally {
    if (!locked) closeSync(fd);
  }
  if (!locked) throw new DataDirBusyError(dir, readLockHolder(dir), command);
  fchmodSync(fd, 0o600);
  const holder: LockHolder = {
    pid: process.pid,
    command,
    channel: null,
    token: randomBytes(32).toString("hex"),
  };
  const write = () => {
    ftruncateSync(fd, 0);
    writeSync(fd, `${JSON.stringify(holder)}\n`, 0);
  };
  write();
  let released = false;
  return {
    dataDir: dir,
    holder,
    announceChannel(channel) {
      if (released) return;
      holder.channel = channel;
      write();
    },
    release() {
      if (released) return;
      released = true;
      // The file stays: removing it would let a third process lock a new file of the same name
      // while a second one still waits on the old one.
      closeSync(fd);
    },
  };
}

// Who holds the directory, as the holder wrote it. Null when the file cannot be read (on Windows a
// locked file cannot be) or the holder is between taking the lock and writing it.
export function readLockHolder(dataDir: string): LockHolder | null {
  try {
    const parsed = JSON.parse(readFileSync(join(dataDir, LOCK_FILE), "utf8")) as LockHolder;
    return typeof parsed.pid === "number" ? parsed : null;
  } catch {
    return null;
  }
}

function busyMessage(dataDir: string, holder: LockHolder | null, wanted: string) {
  const who = holder ? `parley ${holder.command} (pid ${holder.pid})` : "another Parley process";
  const stop = holder ? `Ctrl-C in its terminal, or kill ${holder.pid}` : "Ctrl-C in its terminal";
  const lines = [
    `the data directory ${dataDir} is in use by ${who}.`,
    "The embedded database can be open in one process at a time; a second one would corrupt it.",
  ];
  if (holder?.command === "start" && wanted === "start")
    lines.push(
      `Parley is already running on this directory. Stop it first (${stop}), or give this one its own PARLEY_DATA_DIR.`,
    );
  else if (holder?.command === "start" && wanted === "migrate")
    lines.push(
      `The running server applied the migrations when it started. To migrate by hand, stop it first (${stop}).`,
    );
  else if (holder?.command === "start")
    lines.push(
      `The server runs this command itself once it is up; if it cannot be reached, stop it first (${stop}).`,
    );
  else lines.push(`Wait until it has finished, or stop it (${stop}), then run this again.`);
  lines.push("To share one database among several processes, use a PostgreSQL server (DATABASE_URL).");
  return lines.join("\n");
}
