import type { DomainEvent } from '../domain/events.js';

/**
 * The users an event is about, for the moderators' activity view: its actor,
 * and whoever it names as joining, posting, reporting, reviewing, redacting or
 * being removed, promoted or re-roled.
 */
export function involvedUsers(event: DomainEvent, actorId: string | null): string[] {
  const named = (): (string | null)[] => {
    switch (event.type) {
      case 'UserRegistered':
      case 'UserRoleChanged':
      case 'MemberJoined':
      case 'MemberLeft':
      case 'MemberRemoved':
      case 'MemberRoleChanged':
        return [event.data.userId];
      case 'ThreadCreated':
        return [event.data.createdBy];
      case 'MessagePosted':
        return [event.data.authorId];
      case 'MessageRedacted':
        return [event.data.by];
      case 'MessageReported':
        return [event.data.reporterId];
      case 'ReportReviewed':
        return [event.data.moderatorId];
      case 'UsernameReserved':
        // Part of registering; UserRegistered is the event that shows.
        return [];
      default: {
        // Compile-time exhaustiveness; at run time an unknown event type involves nobody.
        const _exhaustive: never = event;
        return [];
      }
    }
  };
  const users = named();
  if (users.length === 0) return [];
  return [...new Set([actorId, ...users].filter((id): id is string => id !== null))];
}
