import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../commands/handleCommand.js';

/** The command context of an authenticated request: the request id correlates its events. */
export const contextOf = (request: FastifyRequest): CommandContext & { actorId: string } => ({
  actorId: request.user.userId,
  correlationId: request.id,
  causationId: null,
  now: new Date(),
});
