import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

const EnvSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Type.Integer({ default: 8000, minimum: 0, maximum: 65535 }),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  JWT_SECRET: Type.Optional(Type.String()),
  JWT_TTL_SECONDS: Type.Integer({ default: 3600, minimum: 60, maximum: 30 * 24 * 3600 }),
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
    { default: 'info' },
  ),
  ALLOWED_ORIGINS: Type.Optional(Type.String()),
  EVENTSTORE_URL: Type.Optional(Type.String({ minLength: 1 })),
  MONGO_URL: Type.Optional(Type.String({ minLength: 1 })),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 1 })),
  /** Posts per second per user, and the burst above it. */
  RATE_POSTS_PER_SECOND: Type.Number({ default: 10, exclusiveMinimum: 0 }),
  RATE_POSTS_BURST: Type.Integer({ default: 20, minimum: 1 }),
  RATE_TYPING_PER_SECOND: Type.Number({ default: 4, exclusiveMinimum: 0 }),
  /** Gateway: a typing indicator not refreshed for this long turns itself off (ms). */
  TYPING_TIMEOUT_MS: Type.Integer({ default: 8000, minimum: 50 }),
  /** Gateway: protocol-level ping interval, and the silence after which a socket is terminated (ms). */
  WS_PING_INTERVAL_MS: Type.Integer({ default: 30_000, minimum: 50 }),
  WS_IDLE_TIMEOUT_MS: Type.Integer({ default: 60_000, minimum: 100 }),
  /** Gateway: a socket whose unsent bytes pass this is closed 1013 (slow consumer). */
  WS_MAX_BUFFERED_BYTES: Type.Integer({ default: 1024 * 1024, minimum: 1024 }),
  /** Gateway: presence heartbeat between nodes, and how long a silent node's users stay present (ms). */
  PRESENCE_HEARTBEAT_MS: Type.Integer({ default: 5000, minimum: 50 }),
  PRESENCE_TTL_MS: Type.Integer({ default: 15_000, minimum: 100 }),
  /** /readyz fails when a projection lags more than this many events, or its oldest unapplied event is older (s). */
  READY_MAX_LAG_EVENTS: Type.Integer({ default: 1000, minimum: 0 }),
  READY_MAX_LAG_SECONDS: Type.Number({ default: 30, minimum: 0 }),
  /** Event feed (SSE): heartbeat comment interval, and how long a write may wait to drain before the client is dropped (ms). */
  FEED_HEARTBEAT_MS: Type.Integer({ default: 15_000, minimum: 50 }),
  FEED_STALL_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 50 }),
  /** How long a read-your-writes query waits for the projections (ms). */
  MIN_POSITION_WAIT_MS: Type.Integer({ default: 2000, minimum: 0, maximum: 30_000 }),
  /** scrypt cost exponent (N = 2^this). OWASP: 17. Tests may lower it. */
  SCRYPT_LOG_N: Type.Integer({ default: 17, minimum: 10, maximum: 20 }),
});

type Env = Static<typeof EnvSchema>;

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  jwtSecret: Uint8Array;
  jwtTtlSeconds: number;
  nodeEnv: Env['NODE_ENV'];
  logLevel: string;
  allowedOrigins: string[];
  eventStoreUrl: string | null;
  mongoUrl: string | null;
  metricsToken: string | null;
  rateLimits: { postsPerSecond: number; postsBurst: number; typingPerSecond: number };
  gateway: {
    typingTimeoutMs: number;
    pingIntervalMs: number;
    idleTimeoutMs: number;
    maxBufferedBytes: number;
    presenceHeartbeatMs: number;
    presenceTtlMs: number;
  };
  readiness: { maxLagEvents: number; maxLagSeconds: number };
  feed: { heartbeatMs: number; stallTimeoutMs: number };
  minPositionWaitMs: number;
  scryptLogN: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const MIN_SECRET_BYTES = 32;

/** Reads and validates the environment; throws ConfigError with every problem listed. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const env = Value.Default(EnvSchema, Value.Convert(EnvSchema, raw));
  if (!Value.Check(EnvSchema, env)) {
    const problems = [...Value.Errors(EnvSchema, env)].map((e) => `${e.instancePath.slice(1) || 'env'} ${e.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const dataDir = resolve(env.DATA_DIR);
  return {
    host: env.HOST,
    port: env.PORT,
    dataDir,
    jwtSecret: jwtSecret(env, dataDir),
    jwtTtlSeconds: env.JWT_TTL_SECONDS,
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    allowedOrigins: (env.ALLOWED_ORIGINS ?? 'http://localhost:5173')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    eventStoreUrl: env.EVENTSTORE_URL ?? null,
    mongoUrl: env.MONGO_URL ?? null,
    metricsToken: env.METRICS_TOKEN ?? null,
    rateLimits: {
      postsPerSecond: env.RATE_POSTS_PER_SECOND,
      postsBurst: env.RATE_POSTS_BURST,
      typingPerSecond: env.RATE_TYPING_PER_SECOND,
    },
    gateway: {
      typingTimeoutMs: env.TYPING_TIMEOUT_MS,
      pingIntervalMs: env.WS_PING_INTERVAL_MS,
      idleTimeoutMs: env.WS_IDLE_TIMEOUT_MS,
      maxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
      presenceHeartbeatMs: env.PRESENCE_HEARTBEAT_MS,
      presenceTtlMs: env.PRESENCE_TTL_MS,
    },
    readiness: { maxLagEvents: env.READY_MAX_LAG_EVENTS, maxLagSeconds: env.READY_MAX_LAG_SECONDS },
    feed: { heartbeatMs: env.FEED_HEARTBEAT_MS, stallTimeoutMs: env.FEED_STALL_TIMEOUT_MS },
    minPositionWaitMs: env.MIN_POSITION_WAIT_MS,
    scryptLogN: env.SCRYPT_LOG_N,
  };
}

/**
 * Production must be given a real secret. Elsewhere one is generated once and
 * kept in DATA_DIR (mode 0600) so tokens survive restarts and are shared by
 * every process on that data dir.
 */
function jwtSecret(env: Env, dataDir: string): Uint8Array {
  if (env.JWT_SECRET !== undefined) {
    if (Buffer.byteLength(env.JWT_SECRET) < MIN_SECRET_BYTES) {
      throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    return new TextEncoder().encode(env.JWT_SECRET);
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('JWT_SECRET is required when NODE_ENV=production (at least 32 bytes)');
  }
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    try {
      writeFileSync(file, randomBytes(48).toString('base64url'), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process on the same data dir wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim());
}
