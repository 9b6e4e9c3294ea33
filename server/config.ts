import { resolve } from "node:path";

// Every setting Parley reads, in one place. docs/configuration.md lists the same names;
// a bad value stops start-up with one line per problem rather than failing later at use.
export interface Config {
  databaseUrl: string | null;
  dataDir: string;
  // The embedded database's shared_buffers in MB (PGlite only): its page cache inside the WASM
  // memory, the largest part of an idle embedded server's RSS (docs/benchmarks.md, "Memory").
  pgliteSharedBuffersMb: number;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: string;
  sessionTtlHours: number;
  loginRateLimit: number;
  loginIpFailureLimit: number;
  trustProxy: boolean;
  fileStoreDir: string;
  maxAttachmentMb: number;
  adminEmail: string | null;
  adminPassword: string | null;
  workspaceName: string;
  jobs: boolean;
  shutdownGraceMs: number;
  metricsToken: string | null;
  secretKey: string | null;
  email: EmailConfig;
  cookieSecure: boolean;
}

export interface EmailConfig {
  // Parley's own SMTP listener for MX or relay delivery; null keeps it off.
  smtpListenPort: number | null;
  smtpListenHost: string;
  smtpTlsCert: string | null;
  smtpTlsKey: string | null;
  smtpMaxMb: number;
  // Per remote IP and minute; over the limit a sender gets a temporary refusal and retries later.
  smtpMaxConnectionsPerMinute: number;
  smtpMaxMessagesPerMinute: number;
  // Default outbound relay (smtp://user:pass@host:port) for mailboxes without their own.
  smtpRelayUrl: string | null;
  // The domain in the Message-IDs Parley generates.
  messageIdDomain: string;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
}

function boolean(env: Env, name: string, fallback: boolean, problems: string[]) {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "yes", "on"].includes(raw.toLowerCase())) return true;
  if (["0", "false", "no", "off"].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return fallback;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with "postgres://" or "postgresql://"');
  }
  const port = integer(env, "PARLEY_PORT", 3000, 0, 65535, problems);
  const host = env.PARLEY_HOST || "127.0.0.1";
  const publicUrl = env.PARLEY_PUBLIC_URL || `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`;
  try {
    new URL(publicUrl);
  } catch {
    problems.push(`PARLEY_PUBLIC_URL must be an absolute URL (got "${publicUrl}")`);
  }
  const logLevel = env.PARLEY_LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")} (got "${logLevel}")`);
  }
  const adminEmail = env.PARLEY_ADMIN_EMAIL || null;
  if (adminEmail && !/^[^@\s]+@[^@\s]+$/.test(adminEmail)) {
    problems.push(`PARLEY_ADMIN_EMAIL must be an email address (got "${adminEmail}")`);
  }
  const adminPassword = env.PARLEY_ADMIN_PASSWORD || null;
  if (adminPassword !== null && adminPassword.length < 10) {
    problems.push("PARLEY_ADMIN_PASSWORD must be at least 10 characters");
  }
  const dataDir = resolve(env.PARLEY_DATA_DIR || "data");
  const config: Config = {
    databaseUrl,
    dataDir,
    pgliteSharedBuffersMb: integer(env, "PARLEY_PGLITE_SHARED_BUFFERS_MB", 16, 1, 1024, problems),
    host,
    port,
    publicUrl,
    logLevel,
    sessionTtlHours: integer(env, "PARLEY_SESSION_TTL_HOURS", 24 * 14, 1, 24 * 365, problems),
    loginRateLimit: integer(env, "PARLEY_LOGIN_RATE_LIMIT", 10, 1, 10_000, problems),
    loginIpFailureLimit: integer(env, "PARLEY_LOGIN_IP_FAILURE_LIMIT", 50, 1, 1_000_000, problems),
    trustProxy: boolean(env, "PARLEY_TRUST_PROXY", false, problems),
    fileStoreDir: resolve(env.PARLEY_FILE_STORE_DIR || resolve(dataDir, "files")),
    maxAttachmentMb: integer(env, "PARLEY_MAX_ATTACHMENT_MB", 25, 1, 2048, problems),
    adminEmail,
    adminPassword,
    workspaceName: env.PARLEY_WORKSPACE_NAME || "My support team",
    jobs: boolean(env, "PARLEY_JOBS", true, problems),
    shutdownGraceMs: integer(env, "PARLEY_SHUTDOWN_GRACE_MS", 10_000, 0, 600_000, problems),
    metricsToken: env.PARLEY_METRICS_TOKEN || null,
    cookieSecure: boolean(env, "PARLEY_COOKIE_SECURE", publicUrl.startsWith("https:"), problems),
    secretKey: env.PARLEY_SECRET_KEY || null,
    email: emailConfig(env, host, publicUrl, problems),
  };
  if (config.secretKey !== null && config.secretKey.length < 32) {
    problems.push("PARLEY_SECRET_KEY must be at least 32 characters");
  }
  if (config.metricsToken !== null && config.metricsToken.length < 16) {
    problems.push("PARLEY_METRICS_TOKEN must be at least 16 characters");
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function emailConfig(env: Env, host: string, publicUrl: string, problems: string[]): EmailConfig {
  const listen = env.PARLEY_SMTP_PORT;
  const smtpListenPort = listen ? integer(env, "PARLEY_SMTP_PORT", 0, 0, 65535, problems) : null;
  const smtpTlsCert = env.PARLEY_SMTP_TLS_CERT || null;
  const smtpTlsKey = env.PARLEY_SMTP_TLS_KEY || null;
  if ((smtpTlsCert === null) !== (smtpTlsKey === null)) {
    problems.push("PARLEY_SMTP_TLS_CERT and PARLEY_SMTP_TLS_KEY must be set together");
  }
  const smtpRelayUrl = env.PARLEY_SMTP_RELAY_URL || null;
  if (smtpRelayUrl !== null && !/^smtps?:\/\/[^/]+/.test(smtpRelayUrl)) {
    problems.push('PARLEY_SMTP_RELAY_URL must look like "smtp://user:pass@host:587" or "smtps://host:465"');
  }
  let publicHost = "localhost";
  try {
    publicHost = new URL(publicUrl).hostname;
  } catch {
    // reported by the PARLEY_PUBLIC_URL check
  }
  return {
    smtpListenPort,
    smtpListenHost: env.PARLEY_SMTP_HOST || host,
    smtpTlsCert,
    smtpTlsKey,
    smtpMaxMb: integer(env, "PARLEY_SMTP_MAX_MB", 35, 1, 1024, problems),
    smtpMaxConnectionsPerMinute: integer(
      env,
      "PARLEY_SMTP_MAX_CONNECTIONS_PER_MINUTE",
      300,
      1,
      1_000_000,
      problems,
    ),
    smtpMaxMessagesPerMinute: integer(
      env,
      "PARLEY_SMTP_MAX_MESSAGES_PER_MINUTE",
      3000,
      1,
      10_000_000,
      problems,
    ),
    smtpRelayUrl,
    messageIdDomain: env.PARLEY_EMAIL_DOMAIN || publicHost,
  };
}
