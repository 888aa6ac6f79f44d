/** The report queue's page cursor, shared by every read-model adapter: (created_at, id) of the last report served. */
export const encodeReportCursor = (createdAt: string, id: string): string =>
  Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

/** null for anything that is not a cursor we made. */
export function decodeReportCursor(cursor: string): [createdAt: string, id: string] | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value as unknown[];
    return typeof createdAt === 'string' && typeof id === 'string' ? [createdAt, id] : null;
  } catch {
    return null;
  }
}
