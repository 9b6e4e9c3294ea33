import { rssMb, sampleMemory } from "./probe.ts";
import { benchTarget, dropTarget, openTarget, startParley } from "./target.ts";

// Idle memory of a freshly started server: RSS and V8 figures after `settleSec` seconds of
// nothing. PARLEY_BENCH_NODE_ARGS passes node flags to the server (e.g. --max-semi-space-size=1).
const target = benchTarget();
const database = await openTarget(target, true);
await database.close();
const server = await startParley(target);
const settleSec = Number(process.argv[2] ?? "15");
const samples: number[] = [];
for (let i = 0; i < settleSec; i++) {
  await new Promise((r) => setTimeout(r, 1000));
  samples.push(rssMb(server.pid));
}
const m = await sampleMemory(server.url, server.pid, settleSec);
await server.stop();
await dropTarget(target);
process.stdout.write(
  `${target.label} idle ${settleSec} s, node args "${process.env.PARLEY_BENCH_NODE_ARGS ?? ""}": RSS ${m.rssMb.toFixed(0)} MB (max ${Math.max(...samples).toFixed(0)}), heap used ${m.heapUsedMb.toFixed(0)} MB, external ${m.externalMb.toFixed(0)} MB\n`,
);
