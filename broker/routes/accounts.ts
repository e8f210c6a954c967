import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HANDLE_RULE, parseHandle } from '../../core/handle';
import type { AccountStore } from '../accounts';
import type { CredentialChecker } from '../credentials';
import { ApiError, AuthErrors, ErrorBody } from '../errors';
import { hashOrBusy, type Hasher } from '../hasher';
import type { LoginThrottle } from '../login-throttle';
import { PASSWORD_RULE, isAcceptablePassword } from '../password';
import { sessionOf } from '../plugins/auth';
import { AUTH_MESSAGES } from '../tokens';
import type { WindowCounter } from '../window-counter';
import { Credentials, HandleBody, SessionBody } from './schemas';

export interface AccountRoutesOptions {
  accounts: AccountStore;
  hasher: Hasher;
  credentials: CredentialChecker;
  registrations: WindowCounter;
  throttle: LoginThrottle;
}

const taken = () => new ApiError(409, 'handle_taken', 'That handle is taken. Choose another one.');
const wrongPassword = () => new ApiError(403, 'wrong_password', 'The current password is not correct.');

const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, options) => {
  const { accounts, hasher, credentials, registrations, throttle } = options;

  /** Checks the current password of a signed-in account, throttled like a sign-in. */
  async function confirmPassword(handle: string, password: string, address: string): Promise<void> {
    const tooMany = (wait: number) =>
      new ApiError(429, 'too_many_attempts', 'Too many wrong passwords. Wait a moment, then try again.', wait);
    const wait = await throttle.retryAfter(handle, address);
    if (wait > 0) throw tooMany(wait);
    const settled = await throttle.begin(handle, address);
    if (!settled) throw tooMany(1);
    const account = await hashOrBusy(() => credentials.check(handle, password, address), 'password checks').finally(settled);
    if (!account) {
      await throttle.fail(handle, address);
      throw wrongPassword();
    }
    await throttle.succeed(handle, address);
  }

  app.post(
    '/api/accounts',
    { schema: { body: Credentials, response: { 201: HandleBody, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody } } },
    async (request, reply) => {
      const parsed = parseHandle(request.body.handle);
      if (!parsed.ok) throw new ApiError(400, 'invalid_handle', HANDLE_RULE);
      if (!isAcceptablePassword(request.body.password)) throw new ApiError(400, 'invalid_password', PASSWORD_RULE);
      const wait = await registrations.retryAfter(request.ip);
      if (wait > 0) {
        throw new ApiError(429, 'too_many_accounts', 'Too many new accounts from this address. Try again later.', wait);
      }
      if (accounts.find(parsed.handle)) throw taken();
      // Counted before hashing, so parallel sign-ups cannot all pass the check above (#17); a
      // sign-up that ends without an account (handle taken meanwhile, pool busy) gives it back.
      const giveBack = await registrations.record(request.ip);
      try {
        const hash = await hashOrBusy(() => hasher.hash(request.body.password, request.ip), 'sign-ups');
        if (!accounts.create(parsed.handle, hash)) throw taken();
      } catch (error) {
        giveBack();
        throw error;
      }
      return reply.status(201).send({ handle: parsed.handle });
    },
  );

  app.post(
    '/api/accounts/me/password',
    {
      onRequest: app.authenticate,
      schema: {
        body: Type.Object({ currentPassword: Type.String(), newPassword: Type.String() }),
        response: { 200: SessionBody, 400: ErrorBody, ...AuthErrors, 403: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      if (!isAcceptablePassword(request.body.newPassword)) throw new ApiError(400, 'invalid_password', PASSWORD_RULE);
      await confirmPassword(session.handle, request.body.currentPassword, request.ip);
      const hash = await hashOrBusy(() => hasher.hash(request.body.newPassword, request.ip), 'password changes');
      const tokenVersion = accounts.changePassword(session.handle, hash);
      // The account was deleted while the new hash was being made (a concurrent DELETE).
      if (tokenVersion === undefined) throw new ApiError(401, 'auth_revoked', AUTH_MESSAGES.auth_revoked);
      app.signalling.disconnectHandle(session.handle, 'auth_revoked');
      return { ...app.tokens.issue({ ...session, tokenVersion }), handle: session.handle };
    },
  );

  app.delete(
    '/api/accounts/me',
    {
      onRequest: app.authenticate,
      schema: {
        body: Type.Object({ password: Type.String() }),
        response: { 204: Type.Null(), 400: ErrorBody, ...AuthErrors, 403: ErrorBody, 429: ErrorBody, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      await confirmPassword(session.handle, request.body.password, request.ip);
      accounts.retire(session.handle);
      app.signalling.disconnectHandle(session.handle, 'auth_revoked');
      return reply.status(204).send(null);
    },
  );
};

export default accountRoutes;
