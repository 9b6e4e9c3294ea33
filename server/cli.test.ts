import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

// The CLI as a user runs it: a child process, its output and exit code.
const cli = join(import.meta.dirname, "cli.ts");
const dataDir = mkdtempSync(join(tmpdir(), "parley-cli-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

function parley(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: "utf8",
    env: { ...process.env, PARLEY_DATA_DIR: dataDir, DATABASE_URL: "", ...env },
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("--help lists the commands, and each command has its own help", () => {
  const main = parley(["--help"]);
  assert.equal(main.code, 0);
  for (const command of ["start", "migrate", "create-admin", "seed-demo"])
    assert.match(main.stdout, new RegExp(command));
  const sub = parley(["create-admin", "--help"]);
  assert.equal(sub.code, 0);
  assert.match(sub.stdout, /--email/);
});

test("an unknown command or option fails with a message and a non-zero exit", () => {
  const unknown = parley(["frobnicate"]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const badOption = parley(["migrate", "--colour"]);
  assert.equal(badOption.code, 1);
  assert.match(badOption.stderr, /colour/);
});

test("a bad setting stops the CLI with the setting's name", () => {
  const result = parley(["migrate"], { PARLEY_PORT: "99999" });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /PARLEY_PORT must be an integer/);
});

test("migrate, then create-admin before any workspace exists explains what to do", () => {
  const migrate = parley(["migrate"]);
  assert.equal(migrate.code, 0, migrate.stderr);
  const admin = parley([
    "create-admin",
    "--email",
    "boss@example.com",
    "--password",
    "correct horse battery",
  ]);
  assert.equal(admin.code, 1);
  assert.match(admin.stderr, /no workspace yet/);
});

test("seed-demo with no workspace yet makes one, and create-admin then adds an admin to it", () => {
  const seed = parley(["seed-demo", "--tickets", "12"]);
  assert.equal(seed.code, 0, seed.stderr);
  assert.match(seed.stdout, /Seeded workspace 1 "Demo" \(new: there was no workspace yet\)/);
  assert.match(seed.stdout, /12 tickets \(.*\) with \d+ customer and agent messages/);
  assert.match(seed.stdout, /20 customers, 6 organizations, 3 groups, 6 agents/);
  assert.match(seed.stdout, /email: +ada\.byrne@demo\.example\n {2}password: \S{10,}/);
  assert.match(seed.stdout, /no admin yet: add one with parley create-admin/);
  const admin = parley(["create-admin", "--email", "boss@example.com"]);
  assert.equal(admin.code, 0, admin.stderr);
  assert.match(admin.stdout, /Created admin boss@example.com/);
  assert.match(admin.stdout, /Password: \S{10,}/);
  const again = parley(["create-admin", "--email", "BOSS@example.com", "--password", "another long secret"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /Updated admin/);
});
