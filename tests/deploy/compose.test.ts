import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Static checks of the deployment files: no Docker engine here to run them,
 * so their structure is what can be verified.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(`${root}/${file}`, 'utf8');

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  ports?: (string | { target: number; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string; interval?: string; retries?: number };
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml')) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
};

/** Environment in either of compose's forms, as a map. */
function environment(s: Service): Record<string, string> {
  if (!Array.isArray(s.environment)) return s.environment ?? {};
  return Object.fromEntries(s.environment.map((entry) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]));
}

const healthcheckCommand = (s: Service) => [s.healthcheck?.test ?? []].flat().join(' ');

/** Named volumes a service mounts, with where. */
function namedVolumes(s: Service): { source: string; target: string }[] {
  return (s.volumes ?? []).flatMap((volume) => {
    const [source, target] = typeof volume === 'string' ? volume.split(':') : [volume.source, volume.target];
    return source && target && !source.startsWith('.') && !source.startsWith('/') ? [{ source, target }] : [];
  });
}

const containerPorts = (s: Service) =>
  (s.ports ?? []).map((port) => (typeof port === 'string' ? Number(port.split(':').at(-1)?.split('/')[0]) : port.target));

describe('docker-compose.yml', () => {
  it('runs EventStoreDB, MongoDB and the app', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['app', 'eventstore', 'mongo']);
    expect(service('eventstore').image).toMatch(/^eventstore\/eventstore:/);
    expect(service('mongo').image).toMatch(/^mongo:/);
    expect(service('app').build).toBeDefined();
  });

  it('gives every service a healthcheck', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      expect(healthcheckCommand(s), name).not.toBe('');
    }
    expect(healthcheckCommand(service('eventstore'))).toContain('/health/live');
    expect(healthcheckCommand(service('app'))).toContain('/healthz');
  });

  it('runs EventStoreDB as an insecure single node with its data on a volume', () => {
    const env = environment(service('eventstore'));
    expect(env.EVENTSTORE_INSECURE).toBe('true');
    expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('1');
    expect(env.EVENTSTORE_MEM_DB).toBeUndefined();
    expect(namedVolumes(service('eventstore')).map((v) => v.target)).toContain('/var/lib/eventstore');
  });

  it('runs MongoDB as a replica set that its own healthcheck initiates, with its data on a volume', () => {
    const command = [service('mongo').command ?? []].flat().join(' ');
    expect(command).toMatch(/--replSet rs0\b/);
    const healthcheck = healthcheckCommand(service('mongo'));
    expect(healthcheck).toContain('rs.initiate');
    expect(healthcheck).toContain("_id: 'rs0'");
    expect(healthcheck).toContain('mongo:27017');
    expect(namedVolumes(service('mongo')).map((v) => v.target)).toContain('/data/db');
  });

  it('declares every named volume it mounts', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const used = Object.values(compose.services).flatMap((s) => namedVolumes(s).map((v) => v.source));
    expect(used.length).toBeGreaterThan(0);
    for (const source of used) expect(declared).toContain(source);
  });

  it('starts the app after both databases are healthy', () => {
    const dependsOn = service('app').depends_on;
    expect(dependsOn).toEqual({ eventstore: { condition: 'service_healthy' }, mongo: { condition: 'service_healthy' } });
  });

  it('points the app at the compose services, in production mode, on port 8000', () => {
    const env = environment(service('app'));
    expect(env.EVENTSTORE_URL).toBe('esdb://eventstore:2113?tls=false');
    expect(env.MONGO_URL).toBe('mongodb://mongo:27017/chat?replicaSet=rs0');
    expect(env.NODE_ENV).toBe('production');
    expect(env.HOST).toBe('0.0.0.0');
    expect(containerPorts(service('app'))).toContain(8000);
    // The URLs' hosts are services of this file.
    for (const url of [env.EVENTSTORE_URL, env.MONGO_URL]) {
      expect(Object.keys(compose.services)).toContain(new URL(url ?? '').hostname);
    }
  });

  it('requires JWT_SECRET from the environment, with no default value', () => {
    const secret = environment(service('app')).JWT_SECRET ?? '';
    expect(secret).toMatch(/^\$\{JWT_SECRET:\?[^}]*\}$/);
    expect(read('docker-compose.yml')).not.toMatch(/JWT_SECRET:-/);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const lines = dockerfile.split('\n').map((line) => line.trim());
  const stages = lines.flatMap((line, index) => {
    const match = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    return match ? [{ image: match[1], name: match[2], index }] : [];
  });
  const runtime = stages.at(-1);
  const runtimeLines = lines.slice(runtime?.index ?? 0);

  it('builds in one stage and runs from another, on node:20-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime?.image).toBe('node:20-slim');
    const build = stages[0]?.name ?? '';
    expect(build).not.toBe('');
    expect(runtimeLines.some((line) => line.startsWith(`COPY --from=${build}`))).toBe(true);
  });

  it('installs with npm ci, compiles TypeScript and the native addon, and keeps production dependencies only', () => {
    const buildLines = lines.slice(0, runtime?.index).join('\n');
    expect(buildLines).toMatch(/npm ci\b/);
    expect(buildLines).toMatch(/npm run build\b/);
    expect(buildLines).toMatch(/better-sqlite3/);
    expect(dockerfile).toMatch(/npm prune --omit=dev|npm ci --omit=dev/);
  });

  it('runs as a non-root user', () => {
    const user = runtimeLines.filter((line) => /^USER\s/i.test(line)).at(-1)?.split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });

  it('checks /healthz and starts the compiled entry point named in package.json', () => {
    const healthcheck = runtimeLines.join('\n');
    expect(healthcheck).toMatch(/HEALTHCHECK[\s\S]*127\.0\.0\.1:8000\/healthz/);
    const main = (JSON.parse(read('package.json')) as { main: string }).main;
    const cmd = runtimeLines.filter((line) => /^CMD\s/i.test(line)).at(-1) ?? '';
    expect(JSON.parse(cmd.replace(/^CMD\s+/i, ''))).toEqual(['node', main]);
  });
});

describe('.dockerignore', () => {
  it('keeps local dependencies, builds, data and git out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    for (const entry of ['node_modules', 'dist', 'data', '.git']) expect(ignored).toContain(entry);
  });
});
