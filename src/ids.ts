import { v7 } from 'uuid';

/**
 * Ids the server makes (users, threads, messages, reports, events): UUIDv7,
 * time-ordered, so that indexes keyed by them grow at their end instead of
 * rewriting random pages on every commit. Still opaque UUIDs to clients.
 */
export const newId = (): string => v7();
