import type { DomainEvent } from '../domain/events.js';
import type { ProjectedEvent } from '../eventstore/eventStore.js';
import { involvedUsers } from '../moderation/involvedUsers.js';
import type { EventRef, ReadModelWriter } from '../readmodels/readModelStore.js';

export interface Projection {
  name: string;
  /** Turns one recorded event into blind read-model writes. */
  apply(event: ProjectedEvent, writer: ReadModelWriter): void;
}

/** Pointers for the moderators' views: who took part in what, and which report events belong to a thread. */
function indexForModeration(recorded: ProjectedEvent, event: DomainEvent, writer: ReadModelWriter): void {
  const ref: EventRef = { stream: recorded.stream, revision: recorded.revision, position: recorded.position };
  for (const userId of involvedUsers(event, recorded.metadata.actorId)) writer.recordUserActivity(userId, ref);
  if (event.type === 'MessageReported' || event.type === 'ReportReviewed') writer.recordReportEvent(event.data.messageId, ref);
}

/** Users, threads, members, messages and reports, all from one pass over `$all`. */
export const chatProjection: Projection = {
  name: 'chat',
  apply(recorded, writer) {
    const event = { type: recorded.type, data: recorded.data } as DomainEvent;
    const at = recorded.metadata.occurredAt;
    indexForModeration(recorded, event, writer);
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, username, email, role } = event.data;
        writer.putUser({ id: userId, username, email, role, createdAt: at });
        return;
      }
      case 'UserRoleChanged':
        writer.setUserRole(event.data.userId, event.data.role);
        return;
      case 'ThreadCreated': {
        const { threadId, title, visibility, createdBy } = event.data;
        writer.putThread({ id: threadId, title, visibility, createdBy, createdAt: at });
        return;
      }
      case 'MemberJoined':
        writer.putMember({ threadId: event.data.threadId, userId: event.data.userId, role: event.data.role, joinedAt: at });
        writer.touchThread(event.data.threadId, at);
        return;
      case 'MemberRoleChanged':
        writer.setMemberRole(event.data.threadId, event.data.userId, event.data.role);
        return;
      case 'MemberLeft':
      case 'MemberRemoved':
        writer.removeMember(event.data.threadId, event.data.userId);
        return;
      case 'MessagePosted': {
        const { threadId, messageId, authorId, content, clientMessageId } = event.data;
        writer.putMessage({
          id: messageId,
          threadId,
          seq: recorded.revision,
          position: recorded.position,
          authorId,
          content,
          clientMessageId,
          createdAt: at,
        });
        writer.touchThread(threadId, at);
        return;
      }
      case 'MessageRedacted':
        writer.redactMessage(event.data.messageId, event.data.by, at, event.data.reason);
        return;
      case 'MessageReported': {
        const { reportId, messageId, threadId, reporterId, reason } = event.data;
        writer.putReport({ id: reportId, messageId, threadId, reporterId, reason, createdAt: at });
        return;
      }
      case 'ReportReviewed':
        writer.reviewReport(event.data.reportId, {
          status: event.data.status,
          moderatorId: event.data.moderatorId,
          note: event.data.note,
          at,
        });
        return;
      case 'UsernameReserved':
        return;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  },
};
