import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError } from '../../domain/decider.js';

const STATUS: Record<DomainError['code'], number> = { validation: 400, forbidden: 403, not_found: 404, conflict: 409 };

/** Thrown by routes for plain HTTP errors that are not business rules. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** One place maps every error to `{error: {code, message}}`; 5xx never leak internals. */
export const errorsPlugin = fp(async (app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError | DomainError | HttpError, request, reply) => {
    if (error instanceof DomainError) {
      return reply.status(STATUS[error.code]).send({ error: { code: error.reason, message: error.message } });
    }
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).headers(error.headers).send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      return reply.status(400).send({ error: { code: 'bad_request', message: error.message } });
    }
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(status).send({ error: { code: 'internal_error', message: 'internal server error' } });
    }
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request';
    return reply.status(status).send({ error: { code, message: error.message } });
  });
});
