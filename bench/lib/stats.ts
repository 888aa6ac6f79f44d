/** Latency summary of one row: exact percentiles over every sample (milliseconds). */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export const EMPTY_LATENCY: LatencySummary = { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN };

/** Nearest-rank percentiles; the sample arrays of several load processes are simply concatenated first. */
export function summarize(...parts: ArrayLike<number>[]): LatencySummary {
  const count = parts.reduce((sum, part) => sum + part.length, 0);
  if (count === 0) return EMPTY_LATENCY;
  const all = new Float64Array(count);
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  all.sort();
  const at = (q: number) => all[Math.min(count - 1, Math.max(0, Math.ceil(q * count) - 1))]!;
  return { count, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: all[count - 1]! };
}

/** A growable buffer of samples that crosses the IPC boundary as one typed array. */
export class Samples {
  private buffer = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.buffer.slice(0, this.length);
  }

  clear(): void {
    this.length = 0;
  }
}

/** Microseconds on CLOCK_MONOTONIC: on Linux the same clock in every process, so a timestamp can travel in a message. */
export const monotonicMicros = (): number => Number(process.hrtime.bigint() / 1000n);
