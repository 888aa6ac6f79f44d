import type { ReportEvent } from './report.js';
import type { ThreadEvent } from './thread.js';
import type { UserEvent, UsernameEvent } from './user.js';

/** Every domain event in the log, v1. */
export type DomainEvent = UserEvent | UsernameEvent | ThreadEvent | ReportEvent;
export type DomainEventType = DomainEvent['type'];
export const SCHEMA_VERSION = 1;
