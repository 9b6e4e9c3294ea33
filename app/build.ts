// Builds the agent app into app/dist when its sources are newer than the last build. Runs after
// `npm install` and before `npm start`, so a user never starts a server without the app, and a
// developer who edited app/src gets a fresh build on the next start.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const appDir = import.meta.dirname;
const stamp = join(appDir, "dist", "index.html");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  const sources = Math.max(
    newestSource(join(appDir, "src")),
    newestSource(join(appDir, "public")),
    statSync(join(appDir, "index.html")).mtimeMs,
    statSync(join(appDir, "vite.config.ts")).mtimeMs,
  );
  return sources > built;
}

// The server sends these to browsers that accept them (@fastify/static preCompressed).
function compressAssets(dir: string) {
  for (const name of readdirSync(dir)) {
    if (!/\.(js|css|svg|json)$/.test(name)) continue;
    const content = readFileSync(join(dir, name));
    writeFileSync(join(dir, `${name}.gz`), gzipSync(content, { level: 9 }));
    writeFileSync(
      join(dir, `${name}.br`),
      brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
}

const force = process.argv.includes("--force");
if (force || isStale()) {
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    if (existsSync(stamp)) process.exit(0);
    console.error("The agent app is not built and Vite is not installed: run `npm install` first.");
    process.exit(1);
  }
  await vite.build({ configFile: join(appDir, "vite.config.ts"), logLevel: "warn" });
  compressAssets(join(appDir, "dist", "assets"));
  console.log("Built the agent app into app/dist.");
}
