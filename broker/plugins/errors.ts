import type { FastifyError } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors';

const send = (code: string, message: string) => ({ error: { code, message } });

/**
 * Every failure becomes `{ error: { code, message } }`. Malformed or oversized bodies are the
 * client's fault (4xx), never a 500; unexpected errors are logged and answered without details.
 */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
      if (error instanceof ApiError) {
        if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
        return reply.status(error.statusCode).send(send(error.code, error.message));
      }
      if (error.validation) {
        return reply.status(400).send(send('invalid_request', `The request is not valid: ${error.message}.`));
      }
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply.status(413).send(send('body_too_large', 'The request body is too large.'));
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return reply.status(415).send(send('unsupported_media_type', 'Send the request body as application/json.'));
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        const message = status === 400 ? 'The request body is not valid JSON.' : 'The request could not be handled.';
        return reply.status(status).send(send('invalid_request', message));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(send('internal_error', 'Something went wrong on the broker. Try again later.'));
    });
    app.setNotFoundHandler((request, reply) => {
      reply.status(404).send(send('not_found', `There is no ${request.method} ${request.url.split('?')[0]} here.`));
    });
  },
  { name: 'errors' },
);
