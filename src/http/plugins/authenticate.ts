import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { loadUser, type RegisteredUser } from '../../commands/users.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler: 401 unless the request carries a valid token of an existing user. */
    authenticate(request: FastifyRequest): Promise<void>;
    /** The user a token names, checked against the write model; null for anything invalid. */
    userForToken(token: string | null | undefined): Promise<RegisteredUser | null>;
  }
  interface FastifyRequest {
    user: RegisteredUser;
  }
}

export const bearerToken = (header: string | undefined): string | null => {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
};

export const authenticatePlugin = fp(async (app: FastifyInstance) => {
  const { tokens, commands } = app.services;
  app.decorateRequest('user', null as unknown as RegisteredUser);
  app.decorate('userForToken', async (token: string | null | undefined) => {
    if (!token) return null;
    const userId = await tokens.verify(token);
    // A valid signature is not enough: the user must exist in the log.
    return userId ? loadUser(commands, userId) : null;
  });
  app.decorate('authenticate', async (request: FastifyRequest) => {
    const user = await app.userForToken(bearerToken(request.headers.authorization));
    if (!user) throw new HttpError(401, 'unauthenticated', 'a valid Bearer token is required');
    request.user = user;
  });
});
