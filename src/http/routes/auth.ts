import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { findUserByUsername, registerUser } from '../../commands/users.js';
import { verifyAgainstDummy, verifyPassword } from '../../auth/passwords.js';
import { HttpError } from '../plugins/errors.js';
import { errorResponses } from '../schemas.js';

const PublicUser = Type.Object({ id: Type.String(), username: Type.String(), email: Type.String() });

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, tokens } = app.services;

  app.post(
    '/api/auth/register',
    {
      schema: {
        tags: ['auth'],
        body: Type.Object({
          username: Type.String({ maxLength: 64 }),
          email: Type.String({ maxLength: 320 }),
          password: Type.String({ maxLength: 1024 }),
        }),
        response: { 201: Type.Intersect([PublicUser, Type.Object({ position: Type.Integer() })]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { user, position } = await registerUser(commands, request.body, {
        actorId: null,
        correlationId: request.id,
        now: new Date(),
      });
      return reply.status(201).send({ id: user.userId, username: user.username, email: user.email, position });
    },
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        body: Type.Object({ username: Type.String({ maxLength: 64 }), password: Type.String({ maxLength: 1024 }) }),
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { username, password } = request.body;
      const user = /^[A-Za-z0-9_.-]{3,32}$/.test(username) ? await findUserByUsername(commands, username) : null;
      // Same work and the same answer for an unknown user and a wrong password.
      const ok = user
        ? await verifyPassword(password, user.passwordHash)
        : await verifyAgainstDummy(password, app.services.config.scryptLogN);
      if (!user || !ok) throw new HttpError(401, 'invalid_credentials', 'wrong username or password');
      const { token, expiresIn } = await tokens.issue(user.userId);
      return { access_token: token, token_type: 'Bearer' as const, expires_in: expiresIn };
    },
  );

  app.get(
    '/api/auth/me',
    {
      onRequest: app.authenticate,
      schema: {
        tags: ['auth'],
        security: [{ bearer: [] }],
        response: { 200: Type.Intersect([PublicUser, Type.Object({ role: Type.String() })]), ...errorResponses },
      },
    },
    async (request) => {
      const { userId, username, email, role } = request.user;
      return { id: userId, username, email, role };
    },
  );
};
