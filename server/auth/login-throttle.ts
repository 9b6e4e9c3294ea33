import type { FastifyReply, FastifyRequest } from "fastify";
import { sql } from "kysely";
import type { Db } from "../db/connection.ts";
import { AppError } from "../http/errors.ts";

export interface ThrottleOptions {
  // Names the counter, so two limits on one key do not share it.
  name: string;
  max: number;
  windowMs: number;
  key: (req: FastifyRequest) => string;
}

export interface Attempts {
  hits: number;
  resetMs: number;
}

// Limits attempts per key (a client address, an email) with a fixed window that starts at the
// first attempt, counted in the database: every instance behind a load balancer adds to the same
// counter, where an in-memory count let each instance allow `max` guesses of its own. Used as a
// preValidation hook, so the body (and the email in it) is parsed but not yet checked.
export function throttle(db: Db, options: ThrottleOptions) {
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const { hits, resetMs } = await countAttempt(db, `${options.name}:${options.key(req)}`, options.windowMs);
    const resetSeconds = Math.ceil(resetMs / 1000);
    reply.header("x-ratelimit-limit", options.max);
    reply.header("x-ratelimit-remaining", Math.max(0, options.max - hits));
    reply.header("x-ratelimit-reset", resetSeconds);
    sweepNow(db);
    if (hits > options.max) {
      reply.header("retry-after", resetSeconds);
      throw new AppError(429, "rate_limited", `Too many attempts; retry in ${resetSeconds} s.`);
    }
  };
}

// Failed attempts per key, however many different emails they try: password spraying guesses one
// common password for many addresses from one client, which a per-email limit never sees. Each
// attempt is counted before it runs (so a burst in parallel cannot overshoot) and given back when
// it succeeds, so only failures use up the limit: an office behind one NAT address can sign in all
// morning, a client that keeps failing is stopped. Sets no X-RateLimit-* headers: those describe
// the per-email limit, the one a person typing meets first.
export function failureThrottle(db: Db, options: ThrottleOptions) {
  const counter = (req: FastifyRequest) => `${options.name}:${options.key(req)}`;
  return {
    preValidation: async (req: FastifyRequest, reply: FastifyReply) => {
      const { hits, resetMs } = await countAttempt(db, counter(req), options.windowMs);
      if (hits > options.max) {
        const resetSeconds = Math.ceil(resetMs / 1000);
        reply.header("retry-after", resetSeconds);
        throw new AppError(
          429,
          "rate_limited",
          `Too many failed sign-ins from your address; retry in ${Math.ceil(resetSeconds / 60)} min.`,
        );
      }
    },
    onSend: async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      if (reply.statusCode < 400) await giveBackAttempt(db, counter(req));
      return payload;
    },
  };
}

// The client a limit per address counts: an IPv4 address, or an IPv6 /64, since one host (or one
// attacker) commonly holds a whole /64 and could take a fresh address for every guess.
export function clientNetwork(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4 || !ip.includes(":")) return v4 ? v4[1] : ip;
  const [head, tail = ""] = ip.toLowerCase().split("%")[0].split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

async function giveBackAttempt(db: Db, key: string) {
  await sql`update rate_limit_counters set hits = greatest(hits - 1, 0)
    where key = ${key} and window_ends_at > now()`.execute(db);
}

// One statement, atomic under concurrency: the upsert takes the key's row lock, so attempts at
// the same moment from several instances are each counted once.
export async function countAttempt(db: Db, key: string, windowMs: number): Promise<Attempts> {
  const { rows } = await sql<{ hits: number; reset_ms: number }>`
    insert into rate_limit_counters as c (key, hits, window_ends_at)
    values (${key}, 1, now() + make_interval(secs => ${windowMs / 1000}::float8))
    on conflict (key) do update set
      hits = case when c.window_ends_at <= now() then 1 else c.hits + 1 end,
      window_ends_at = case when c.window_ends_at <= now() then excluded.window_ends_at
        else c.window_ends_at end
    returning hits, greatest(0, ceil(extract(epoch from c.window_ends_at - now()) * 1000))::int as reset_ms`.execute(
    db,
  );
  return { hits: rows[0].hits, resetMs: rows[0].reset_ms };
}

const SWEEP_EVERY_MS = 60_000;
let lastSweep = 0;

// Counters of finished windows are deleted now and then, by whichever instance gets there; a
// counter's own upsert already restarts an expired window, so this only keeps the table small.
function sweepNow(db: Db) {
  const now = Date.now();
  if (now - lastSweep < SWEEP_EVERY_MS) return;
  lastSweep = now;
  sql`delete from rate_limit_counters where window_ends_at < now()`.execute(db).catch(() => {
    lastSweep = 0;
  });
}
