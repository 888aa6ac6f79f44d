import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Load processes are separate Node processes driven by the harness over IPC:
 * the parent calls named methods, the child answers each call once. Typed
 * arrays cross as they are (`serialization: 'advanced'`), so latency samples
 * need no JSON round trip.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each method declares its own parameter type
export type Handlers = Record<string, (params: any) => unknown>;

interface Call {
  id: number;
  method: string;
  params: unknown;
}
const READY = '__ready';
type Reply = { id: number; result: unknown } | { id: number; error: string };

export interface LoadProcess<H extends Handlers> {
  pid: number;
  call<K extends keyof H & string>(method: K, params: Parameters<H[K]>[0]): Promise<Awaited<ReturnType<H[K]>>>;
  /** Resolves once the child has loaded and answers calls (so its start-up is not measured). */
  ready(): Promise<void>;
  /** Ends the process (it exits when the IPC channel closes) and waits for it. */
  stop(): Promise<void>;
}

/** Starts `script` (a TypeScript module under bench/load) as a child process, with `nodeFlags` for node. */
export function forkLoadProcess<H extends Handlers>(script: URL, { nodeFlags = [] }: { nodeFlags?: string[] } = {}): LoadProcess<H> {
  const child: ChildProcess = fork(fileURLToPath(script), [], {
    execArgv: ['--import', 'tsx', ...nodeFlags],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const { reject } of pending.values()) reject(new Error(`load process ${script.pathname} exited (${code ?? signal})`));
      pending.clear();
      resolve();
    }),
  );
  child.on('message', (message: Reply) => {
    const waiting = pending.get(message.id);
    if (!waiting) return;
    pending.delete(message.id);
    if ('error' in message) waiting.reject(new Error(message.error));
    else waiting.resolve(message.result);
  });
  const send = (method: string, params: unknown) => {
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ id, method, params } satisfies Call);
    });
  };
  return {
    pid: child.pid!,
    call: (method, params) => send(method, params) as never,
    ready: () => send(READY, null).then(() => undefined),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(killer);
      }
    },
  };
}

/** In the child: answers the parent's calls with `handlers`; exits when the parent goes away. */
export function serveRpc(handlers: Handlers): void {
  if (!process.send) throw new Error('a load process must be started with forkLoadProcess');
  process.on('message', (message: Call) => {
    const handler = message.method === READY ? () => true : handlers[message.method];
    const reply = (answer: Reply) => process.send?.(answer);
    if (!handler) return reply({ id: message.id, error: `unknown method ${message.method}` });
    Promise.resolve()
      .then(() => handler(message.params))
      .then(
        (result) => reply({ id: message.id, result }),
        (error: unknown) => reply({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
}
