import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";

// .npmrc keeps `npm install` to errors only, because npm judges "engines" by the Node that runs
// npm (often 20) while Parley runs on the Node 24 it installs. That must not hide a package that
// the Node running Parley does not satisfy: this test is where such a mismatch shows.
const { satisfies } = createRequire(import.meta.url)("semver") as {
  satisfies(version: string, range: string, options?: { includePrerelease?: boolean }): boolean;
};
const root = join(import.meta.dirname, "..");

test("every installed package accepts the Node that runs Parley", () => {
  const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as {
    packages: Record<string, { engines?: { node?: string } | string[] }>;
  };
  const bundled = JSON.parse(readFileSync(join(root, "node_modules/node/package.json"), "utf8")).version;
  assert.equal(process.versions.node, bundled, "the tests run on the Node that npm installed");
  const refused: string[] = [];
  let checked = 0;
  for (const path of Object.keys(lock.packages)) {
    // Optional packages for other platforms are in the lock file but not installed.
    if (!path || !existsSync(join(root, path, "package.json"))) continue;
    const manifest = JSON.parse(readFileSync(join(root, path, "package.json"), "utf8"));
    const range = manifest.engines?.node;
    if (typeof range !== "string") continue;
    checked++;
    if (!satisfies(process.versions.node, range, { includePrerelease: true }))
      refused.push(`${path} wants node ${range}`);
  }
  assert.ok(checked > 100, `engines were read (${checked})`);
  assert.deepEqual(refused, [], `Node ${process.versions.node} is refused by`);
});

test("the README and package.json say the same about Node", () => {
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const major = /^>=(\d+)$/.exec(manifest.engines.node)?.[1];
  assert.ok(major, `engines.node is a plain minimum: ${manifest.engines.node}`);
  assert.match(readme, new RegExp(`Node\\.js ${major} or newer`));
});
