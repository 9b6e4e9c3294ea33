import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, loadConfig } from "./config.ts";

test("defaults give an embedded database on localhost:3000", () => {
  const config = loadConfig({});
  assert.equal(config.databaseUrl, null);
  assert.equal(config.port, 3000);
  assert.equal(config.host, "127.0.0.1");
  assert.equal(config.publicUrl, "http://127.0.0.1:3000");
  assert.ok(config.dataDir.endsWith("/data"));
  assert.equal(config.cookieSecure, false);
});

test("every bad setting is reported at once, by name", () => {
  assert.throws(
    () =>
      loadConfig({
        PARLEY_PORT: "eighty",
        DATABASE_URL: "mysql://x",
        PARLEY_LOG_LEVEL: "loud",
        PARLEY_JOBS: "maybe",
        PARLEY_ADMIN_PASSWORD: "short",
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join("\n");
      for (const name of [
        "PARLEY_PORT",
        "DATABASE_URL",
        "PARLEY_LOG_LEVEL",
        "PARLEY_JOBS",
        "PARLEY_ADMIN_PASSWORD",
      ]) {
        assert.match(text, new RegExp(name));
      }
      assert.equal(err.problems.length, 5);
      return true;
    },
  );
});

test("an https public URL makes the session cookie secure", () => {
  const config = loadConfig({ PARLEY_PUBLIC_URL: "https://help.example.com" });
  assert.equal(config.cookieSecure, true);
});
