import client from 'prom-client';
import type { EventStore } from '../eventstore/eventStore.js';
import type { ProjectionRunner } from '../projections/projectionRunner.js';
import { readRebuildStatus, type RebuildStatus } from '../readmodels/rebuildStatus.js';
import { LAG_COUNT_CAP, measureLag, type Lag } from './projectionLag.js';
import { registry } from './metrics.js';

interface Sources {
  store: EventStore;
  /** Read at scrape time: a read-model switch replaces the runners in place. */
  projections: readonly ProjectionRunner[];
  dataDir: string;
}

interface ProjectionSample {
  name: string;
  position: number;
  lag: Lag;
  failed: boolean;
}

async function measureProjections(sources: Sources): Promise<ProjectionSample[]> {
  return Promise.all(
    sources.projections.map(async (runner) => ({
      name: runner.projection.name,
      position: runner.position,
      lag: await measureLag(sources.store, runner.position, LAG_COUNT_CAP),
      failed: runner.failure !== null,
    })),
  );
}

/**
 * Gauges measured when scraped, from this server's projections and data dir.
 * Kept in a registry of their own (one per server instance), served together
 * with the process-wide one.
 */
export function createServerMetrics(sources: Sources): { metrics(): Promise<string>; contentType: string } {
  const own = new client.Registry();
  const registers = [own];

  // One measurement per scrape, shared by the four projection gauges (a scrape collects them all at once).
  let measuring: Promise<ProjectionSample[]> | null = null;
  const sample = () =>
    (measuring ??= measureProjections(sources).finally(() => {
      measuring = null;
    }));
  const projectionGauge = (name: string, help: string, value: (s: ProjectionSample) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      registers,
      async collect() {
        this.reset();
        for (const s of await sample()) this.set({ projection: s.name }, value(s));
      },
    });
  projectionGauge('projection_position', 'Position of the last event a projection applied', (s) => s.position);
  projectionGauge('projection_lag_events', `Events in the log a projection has not applied yet (counted up to ${LAG_COUNT_CAP})`, (s) => s.lag.events);
  projectionGauge('projection_lag_seconds', 'Age of the oldest event a projection has not applied yet (0 when caught up)', (s) => s.lag.seconds);
  projectionGauge('projection_failed', '1 when a projection stopped on an event it could not apply', (s) => (s.failed ? 1 : 0));
  new client.Gauge({
    name: 'eventstore_head_position',
    help: 'Position of the newest event in the log',
    registers,
    async collect() {
      this.set(await sources.store.headPosition());
    },
  });

  const rebuildGauge = (name: string, help: string, value: (s: RebuildStatus) => number) =>
    new client.Gauge({
      name,
      help,
      labelNames: ['read_models', 'state'] as const,
      registers,
      collect() {
        this.reset();
        const status = readRebuildStatus(sources.dataDir);
        if (status) this.set({ read_models: status.readModels, state: status.state }, value(status));
      },
    });
  rebuildGauge('readmodel_rebuild_progress_ratio', 'Progress of the latest rebuild run by the CLI on this data dir (position / head)', (s) =>
    s.head > 0 ? Math.min(1, s.position / s.head) : 1,
  );
  rebuildGauge('readmodel_rebuild_position', 'Position the latest rebuild has applied', (s) => s.position);
  rebuildGauge('readmodel_rebuild_events_per_second', 'Replay speed of the latest rebuild', (s) => s.eventsPerSecond);

  return {
    contentType: registry.contentType,
    metrics: () => client.Registry.merge([registry, own]).metrics(),
  };
}
