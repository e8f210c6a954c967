import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { HANDLE_RULE, parseHandle } from '../../core/handle';
import type { CredentialChecker } from '../credentials';
import { ApiError, AuthErrors, ErrorBody } from '../errors';
import { hashOrBusy } from '../hasher';
import type { LoginThrottle } from '../login-throttle';
import { sessionOf } from '../plugins/auth';
import { Credentials, SessionBody } from './schemas';

export interface SessionRoutesOptions {
  credentials: CredentialChecker;
  throttle: LoginThrottle;
  /** The clock every node shares (SharedState.now): a session's start orders sign-ins across nodes. */
  now: () => Promise<number>;
}

const INVALID_CREDENTIALS = 'The handle or the password is not correct.';

const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, { credentials, throttle, now }) => {
  app.post(
    '/api/sessions',
    { schema: { body: Credentials, response: { 200: SessionBody, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody, 503: ErrorBody } } },
    async (request) => {
      const parsed = parseHandle(request.body.handle);
      if (!parsed.ok) throw new ApiError(400, 'invalid_handle', HANDLE_RULE);
      const tooMany = (wait: number) =>
        new ApiError(429, 'too_many_attempts', 'Too many failed sign-ins. Wait a moment, then try again.', wait);
      const wait = await throttle.retryAfter(parsed.handle, request.ip);
      if (wait > 0) throw tooMany(wait);
      const settled = await throttle.begin(parsed.handle, request.ip);
      if (!settled) throw tooMany(1);
      const account = await hashOrBusy(() => credentials.check(parsed.handle, request.body.password, request.ip), 'sign-ins').finally(
        settled,
      );
      if (!account) {
        await throttle.fail(parsed.handle, request.ip);
        throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
      }
      await throttle.succeed(parsed.handle, request.ip);
      const session = app.tokens.startSession(account.handle, account.tokenVersion, await now());
      return { ...app.tokens.issue(session), handle: account.handle };
    },
  );

  app.post(
    '/api/sessions/refresh',
    { onRequest: app.authenticate, schema: { response: { 200: SessionBody, ...AuthErrors } } },
    async (request) => {
      const session = sessionOf(request);
      return { ...app.tokens.issue(session), handle: session.handle };
    },
  );
};

export default sessionRoutes;
