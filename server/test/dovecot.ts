import { type ChildProcess, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { freePort } from "./free-port.ts";

// A throwaway Dovecot IMAP server for tests: its own config, passwd file and maildir in a temp
// directory, on a free loopback port, started in well under a second and removed afterwards.
// .ci/run installs Debian's dovecot-imapd. On a machine without it (a user's fresh clone) the IMAP
// tests report themselves skipped with the reason, so `npm test` still passes there; in CI a
// missing Dovecot fails them, so they always run where it counts.

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  // Appends a message to a folder (default INBOX) over IMAP; returns its UID.
  deliver(raw: string | Buffer, folder?: string): Promise<number>;
  // A logged-in client for anything else a test wants to do to the mailbox.
  client(): Promise<ImapFlow>;
  stop(): Promise<void>;
}

const DOVECOT_PATHS = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"];

export function dovecotBinary(): string | null {
  return DOVECOT_PATHS.find((p) => existsSync(p)) ?? null;
}

// How an IMAP test learns whether it may run: "run", or why not. In CI a missing Dovecot is a
// failure; elsewhere the tests are reported skipped with this message.
export function dovecotAvailability(): { run: true } | { run: false; skip: boolean; message: string } {
  if (dovecotBinary()) return { run: true };
  const message =
    "Dovecot is not installed (apt-get install dovecot-imapd dovecot-core); the IMAP tests need it. " +
    "They are skipped on this machine and always run in CI.";
  return { run: false, skip: process.env.CI !== "true", message };
}

// Dovecot never lets a mail process run as root, and its login process must not be root either:
// as root, logins run as dovenull and mail as nobody; as anyone else, everything runs as them.
function identities() {
  const me = userInfo();
  if (me.uid !== 0) return { login: me.username, internal: me.username, uid: me.uid, gid: me.gid };
  return { login: "dovenull", internal: "dovecot", uid: 65534, gid: 65534 };
}

function config(dir: string, port: number, ids: ReturnType<typeof identities>) {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_login_user = ${ids.login}
default_internal_user = ${ids.internal}
first_valid_uid = 1
mail_location = maildir:${dir}/mail/%u
mailbox_idle_check_interval = 1 secs
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${ids.uid} gid=${ids.gid} home=${dir}/mail/%u
}
`;
}

async function waitForPort(port: number, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dovecot exited (${child.exitCode}):\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
      socket.connect(port, "127.0.0.1");
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`dovecot did not listen on ${port} within 10 s:\n${log()}`);
}

export async function startDovecot(): Promise<Dovecot> {
  const binary = dovecotBinary();
  if (!binary) throw new Error("dovecot is not installed");
  const dir = mkdtempSync(join(tmpdir(), "parley-dovecot-"));
  chmodSync(dir, 0o755);
  const ids = identities();
  const user = "support";
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  mkdirSync(join(dir, "mail"));
  chownSync(join(dir, "mail"), ids.uid, ids.gid);
  writeFileSync(join(dir, "passwd"), `${user}:{PLAIN}${password}\n`, { mode: 0o644 });
  const port = await freePort();
  const configFile = join(dir, "dovecot.conf");
  writeFileSync(configFile, config(dir, port, ids));
  const child = spawn(binary, ["-F", "-c", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const log = () => {
    const file = join(dir, "dovecot.log");
    return `${output}${existsSync(file) ? readFileSync(file, "utf8") : ""}`;
  };
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  try {
    await waitForPort(port, child, log);
  } catch (err) {
    await stopChild();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const client = async () => {
    const c = new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      auth: { user, pass: password },
      logger: false,
    });
    await c.connect();
    return c;
  };
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    client,
    async deliver(raw, folder = "INBOX") {
      const c = await client();
      try {
        const result = await c.append(folder, raw);
        const uid = result === false ? undefined : result.uid;
        if (!uid) throw new Error(`APPEND to ${folder} returned no UID`);
        return uid;
      } finally {
        await c.logout().catch(() => {});
      }
    },
    async stop() {
      await stopChild();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
