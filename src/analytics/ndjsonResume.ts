import { closeSync, existsSync, ftruncateSync, fstatSync, openSync, readSync } from 'node:fs';

const TAIL = 1024 * 1024;

/**
 * Where an interrupted export left off: the position of the last complete line
 * of `file` (0 for a missing or empty file). A torn last line, from a crash in
 * the middle of a write, is cut off so that appending continues cleanly.
 */
export function resumePosition(file: string): number {
  if (!existsSync(file)) return 0;
  const fd = openSync(file, 'r+');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const start = Math.max(0, size - TAIL);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      if (start > 0) throw new Error(`${file}: no complete line in its last ${TAIL} bytes`);
      ftruncateSync(fd, 0);
      return 0;
    }
    if (end < text.length - 1) ftruncateSync(fd, start + Buffer.byteLength(text.slice(0, end + 1)));
    const lines = text.slice(0, end).split('\n');
    const last = lines[lines.length - 1]!;
    const position = (JSON.parse(last) as { position?: unknown }).position;
    if (typeof position !== 'number') throw new Error(`${file}: its last line has no position`);
    return position;
  } finally {
    closeSync(fd);
  }
}
