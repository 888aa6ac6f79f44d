import type { DomainEvent } from '../domain/events.js';

/**
 * The users an event is about, for the moderators' activity view: its actor,
 * and whoever it names as joining, posting, reporting, reviewing, redacting or
 * being removed, promoted or re-roled. Actor first, each user once.
 */
export function involvedUsers(event: DomainEvent, actorId: string | null): string[] {
  const named = namedUser(event);
  if (named === undefined) return [];
  // Runs for every event of a rebuild: no Set or intermediate arrays for at most two ids.
  if (actorId === null) return named === null ? [] : [named];
  return named === null || named === actorId ? [actorId] : [actorId, named];
}

/** The user the event names (null if its data names none), or undefined for an event that involves nobody. */
function namedUser(event: DomainEvent): string | null | undefined {
  switch (event.type) {
    case 'UserRegistered':
    case 'UserRoleChanged':
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberRemoved':
    case 'MemberRoleChanged':
      return event.data.userId ?? null;
    case 'ThreadCreated':
      return event.data.createdBy ?? null;
    case 'MessagePosted':
      return event.data.authorId ?? null;
    case 'MessageRedacted':
      return event.data.by ?? null;
    case 'MessageReported':
      return event.data.reporterId ?? null;
    case 'ReportReviewed':
      return event.data.moderatorId ?? null;
    case 'UsernameReserved':
      // Part of registering; UserRegistered is the event that shows.
      return undefined;
    default: {
      // Compile-time exhaustiveness; at run time an unknown event type involves nobody.
      const _exhaustive: never = event;
      return undefined;
    }
  }
}
