import { Command, InvalidArgumentError, Option } from 'commander';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { hostProbeMs } from './lib/hostProbe.js';
import { buildServer, type ServerMode } from './lib/processes.js';
import type { RunContext, ScenarioResult } from './lib/scenario.js';
import { markdownTable } from './lib/table.js';
import { DURABLE_DEFAULTS, runDurable } from './scenarios/durable.js';
import { FANOUT_DEFAULTS, runFanout } from './scenarios/fanout.js';
import { IDLE_DEFAULTS, runIdle } from './scenarios/idle.js';
import { REBUILD_DEFAULTS, runRebuild } from './scenarios/rebuild.js';
import { RESUME_DEFAULTS, runResume } from './scenarios/resume.js';

/**
 * `npm run bench [-- <scenario>] [options]`: each scenario starts the real
 * server (and its bare baseline) as separate processes on a temp DATA_DIR,
 * drives them from load processes over 127.0.0.1, and prints one table.
 */

const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a positive integer');
  return n;
};
const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError('a positive number');
  return n;
};
const intList = (value: string) => value.split(',').map((part) => positiveInt(part.trim()));

interface GlobalOptions {
  server: 'build' | ServerMode;
  cpuProf?: string;
  duration?: number;
  json?: string;
}

const program = new Command('bench')
  .description('Threadline benchmarks: the real server against bare baselines, in one run')
  .addOption(new Option('--server <mode>', 'build: compile then run dist (tsx if the build fails); dist: run the existing build; tsx: run the sources').choices(['build', 'dist', 'tsx']).default('build'))
  .option('--duration <seconds>', 'seconds per measured run (overrides each scenario default)', positiveNumber)
  .option('--json <file>', 'also write every table as JSON')
  .option('--cpu-prof <dir>', 'run our server with --cpu-prof, writing a .cpuprofile per server start into <dir>')
  .showHelpAfterError();

const results: ScenarioResult[] = [];
/** `hostProbeMs` at the start and the end of the run. */
const hostProbes: number[] = [];
let context: RunContext | undefined;

function contextFor(command: Command): RunContext {
  if (context) return context;
  const { server, cpuProf } = command.optsWithGlobals<GlobalOptions>();
  const log = (line: string) => console.error(`[bench] ${line}`);
  let mode: ServerMode;
  if (server === 'build') {
    log('building the server (npm run build:server)');
    mode = buildServer(log);
  } else mode = server;
  log(`server: ${mode === 'dist' ? 'node dist/src/main.js' : 'node --import tsx src/main.ts'}`);
  hostProbes.push(hostProbeMs());
  context = { mode, log, ...(cpuProf ? { cpuProfileDir: resolve(cpuProf) } : {}) };
  return context;
}

function print(result: ScenarioResult): void {
  results.push(result);
  console.log(`\n## ${result.title}\n\n${markdownTable(result.rows)}`);
  for (const note of result.notes) console.log(`\n- ${note}`);
}

function printTargets(): void {
  const checks = results.flatMap((result) => result.checks);
  if (checks.length === 0) return;
  const rows = checks.map((check) => ({ target: check.target, measured: check.measured, met: check.met === null ? 'n/a (sizes changed)' : check.met ? 'yes' : 'NO' }));
  console.log(`\n## Targets (issue 9)\n\n${markdownTable(rows)}`);
}

const duration = (command: Command, fallback: number) => command.optsWithGlobals<GlobalOptions>().duration ?? fallback;

const scenarios = {
  fanout: (command: Command, o: Partial<typeof FANOUT_DEFAULTS> = {}) =>
    runFanout({ ...FANOUT_DEFAULTS, ...o, durationS: duration(command, FANOUT_DEFAULTS.durationS) }, contextFor(command)),
  durable: (command: Command, o: Partial<typeof DURABLE_DEFAULTS> = {}) => {
    const seconds = duration(command, DURABLE_DEFAULTS.durationS);
    return runDurable({ ...DURABLE_DEFAULTS, ...o, durationS: seconds, appendDurationS: Math.min(seconds, DURABLE_DEFAULTS.appendDurationS) }, contextFor(command));
  },
  idle: (command: Command, o: Partial<typeof IDLE_DEFAULTS> = {}) => runIdle({ ...IDLE_DEFAULTS, ...o }, contextFor(command)),
  rebuild: (command: Command, o: Partial<typeof REBUILD_DEFAULTS> = {}) => runRebuild({ ...REBUILD_DEFAULTS, ...o }, contextFor(command)),
  resume: (command: Command, o: Partial<typeof RESUME_DEFAULTS> = {}) => runResume({ ...RESUME_DEFAULTS, ...o }, contextFor(command)),
};

program
  .command('fanout')
  .description('fan-out latency, POST -> chat_message on every member socket, vs the bare ws baseline')
  .option('--sockets <n>', 'member sockets', positiveInt, FANOUT_DEFAULTS.sockets)
  .option('--threads <n>', 'threads the sockets are spread over', positiveInt, FANOUT_DEFAULTS.threads)
  .option('--rates <list>', 'posts/s, one run each', intList, FANOUT_DEFAULTS.rates)
  .option('--segment <seconds>', 'the servers take turns in segments this long, until each has had --duration (--duration or more: one turn each)', positiveNumber, FANOUT_DEFAULTS.segmentS)
  .option('--processes <n>', 'socket load processes per server (at most 9,000 sockets each)', positiveInt, FANOUT_DEFAULTS.processes)
  .option('--warmup <seconds>', 'warm-up posting to each server before the runs, at the middle rate (0: none)', Number, FANOUT_DEFAULTS.warmupS)
  .option('--durable-baseline-rates <list>', 'rates also run against the durable ws baseline (a reference row; none by default, e.g. 500)', intList, FANOUT_DEFAULTS.durableBaselineRates)
  .option('--no-durable-baseline', 'skip the durable ws baseline')
  .action(
    async (
      o: { sockets: number; threads: number; rates: number[]; segment: number; processes: number; warmup: number; durableBaselineRates: number[]; durableBaseline: boolean },
      command: Command,
    ) => {
      const { warmup, segment, durableBaseline, durableBaselineRates, ...sizes } = o;
      const processes = Math.max(o.processes, Math.ceil(o.sockets / 9000));
      print(await scenarios.fanout(command, { ...sizes, processes, segmentS: segment, warmupS: warmup, durableBaselineRates: durableBaseline ? durableBaselineRates : [] }));
    },
  );

program
  .command('durable')
  .description('durable posts/s through POST /api/chat/messages/ vs the bare durable-write baseline; raw event-store appends')
  .option('--connections <n>', 'concurrent HTTP connections', positiveInt, DURABLE_DEFAULTS.connections)
  .option('--threads <n>', 'threads posted into', positiveInt, DURABLE_DEFAULTS.threads)
  .option('--batch <n>', 'events per raw append', positiveInt, DURABLE_DEFAULTS.batch)
  .option('--writers <n>', 'concurrent raw appenders', positiveInt, DURABLE_DEFAULTS.writers)
  .action(async (o: { connections: number; threads: number; batch: number; writers: number }, command: Command) =>
    print(await scenarios.durable(command, o)),
  );

program
  .command('idle')
  .description('RSS per idle authenticated socket, and connection setup rate')
  .option('--sockets <n>', 'sockets to hold open', positiveInt, IDLE_DEFAULTS.sockets)
  .option('--threads <n>', 'threads they are spread over', positiveInt, IDLE_DEFAULTS.threads)
  .option('--concurrency <n>', 'handshakes in flight per load process', positiveInt, IDLE_DEFAULTS.concurrency)
  .action(async (o: { sockets: number; threads: number; concurrency: number }, command: Command) => print(await scenarios.idle(command, o)));

program
  .command('rebuild')
  .description('events/s rebuilding the read models from a log, and the analytics feed catch-up rate')
  .option('--events <n>', 'events in the log', positiveInt, REBUILD_DEFAULTS.events)
  .option('--page-size <n>', 'feed page size', positiveInt, REBUILD_DEFAULTS.pageSize)
  .action(async (o: { events: number; pageSize: number }, command: Command) => print(await scenarios.rebuild(command, o)));

program
  .command('resume')
  .description('time to deliver an after_seq catch-up')
  .option('--messages <n>', 'messages in the catch-up', positiveInt, RESUME_DEFAULTS.messages)
  .option('--iterations <n>', 'catch-ups, one after the other', positiveInt, RESUME_DEFAULTS.iterations)
  .action(async (o: { messages: number; iterations: number }, command: Command) => print(await scenarios.resume(command, o)));

program
  .command('all', { isDefault: true })
  .description('every scenario at its default size (the default command)')
  .action(async (_o: object, command: Command) => {
    for (const run of Object.values(scenarios)) print(await run(command));
  });

program.hook('postAction', (_program, command) => {
  const { json } = command.optsWithGlobals<GlobalOptions>();
  printTargets();
  if (hostProbes.length > 0) hostProbes.push(hostProbeMs());
  console.log(`\nmachine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${process.platform}`);
  if (hostProbes.length > 0) {
    console.log(
      `host probe: ${hostProbes.map((ms) => `${Math.round(ms)} ms`).join(' at the start, ')} at the end ` +
        '(bare SQLite: 100,000 rows inserted and indexed; the same work every run, so a higher figure is a slower stretch of the host)',
    );
  }
  console.log(`command: npm run bench -- ${process.argv.slice(2).join(' ')}`.trimEnd());
  if (json) writeFileSync(json, JSON.stringify({ machine: { cpus: cpus().length, node: process.version, hostProbeMs: hostProbes }, results }, null, 2));
});

program.parseAsync().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
