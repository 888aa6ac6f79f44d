// One line of plain text per audit entry, for the timeline.
import type { AuditEntry } from '../api/types.js';

const text = (value: unknown): string => (typeof value === 'string' ? value : value === null || value === undefined ? '' : JSON.stringify(value));

/** User id -> username, from the actors named in the audit itself. */
export function namesFromAudit(entries: readonly AuditEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { metadata } of entries) if (metadata.actorId && metadata.actor_username) names.set(metadata.actorId, metadata.actor_username);
  return names;
}

export function describeAuditEntry(entry: AuditEntry, names: ReadonlyMap<string, string>): string {
  const { data } = entry;
  const who = (id: unknown) => names.get(text(id)) ?? text(id);
  const reason = data.reason ? ` (reason: ${text(data.reason)})` : '';
  switch (entry.type) {
    case 'ThreadCreated':
      return `created the ${text(data.visibility)} thread “${text(data.title)}”`;
    case 'MemberJoined':
      return data.invitedBy ? `invited ${who(data.userId)} as ${text(data.role)}` : `${who(data.userId)} joined as ${text(data.role)}`;
    case 'MemberLeft':
      return `${who(data.userId)} left`;
    case 'MemberRemoved':
      return `removed ${who(data.userId)}${reason}`;
    case 'MemberRoleChanged':
      return `made ${who(data.userId)} ${text(data.role)}`;
    case 'MessagePosted':
      return `posted: “${text(data.content)}”`;
    case 'MessageEdited':
      return `edited a message: “${text(data.content)}”`;
    case 'MessageRedacted':
      return `removed message ${text(data.messageId)}${reason}`;
    default:
      return `${entry.type} ${JSON.stringify(data)}`;
  }
}
