import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HANDLE_RULE, parseHandle } from '../../core/handle';
import type { Account, AccountStore } from '../accounts';
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
const revoked = () => new ApiError(401, 'auth_revoked', AUTH_MESSAGES.auth_revoked);
// Another request changed the password between this one's check and its write; this one changed nothing.
const CHANGED_MEANWHILE = 'The password was changed by another request meanwhile, so this one changed nothing. Sign in with the new password.';
const changedMeanwhile = () => new ApiError(409, 'password_changed', CHANGED_MEANWHILE);

const accountRoutes: FastifyPluginAsyncTypebox<AccountRoutesOptions> = async (app, options) => {
  const { accounts, hasher, credentials, registrations, throttle } = options;

  /**
   * Checks the current password of a signed-in account, throttled like a sign-in. Returns the account
   * as it was when the password matched, so the change that follows can be made against that version.
   */
  async function confirmPassword(handle: string, password: string, address: string): Promise<Account> {
    const tooMany = (wait: number) =>
      new ApiError(429, 'too_many_attempts', 'Too many wrong passwords. Wait a moment, then try again.', wait);
    const wait = await throttle.retryAfter(handle, address);
    if (wait > 0) throw tooMany(wait);
    // Undefined while another attempt on this handle and address is being checked (on any node).
    const settled = await throttle.begin(handle, address);
    if (!settled) throw tooMany(1);
    const account = await hashOrBusy(() => credentials.check(handle, password, address), 'password checks').finally(settled);
    if (!account) {
      await throttle.fail(handle, address);
      throw wrongPassword();
    }
    await throttle.succeed(handle, address);
    return account;
  }

  /** Why a compare-and-set on `handle` found nothing to change: the account is gone, or another change won. */
  async function lostTheRace(handle: string): Promise<ApiError> {
    const account = await accounts.find(handle);
    return !account || account.retiredAt !== null ? revoked() : changedMeanwhile();
  }

  app.post(
    '/api/accounts',
    { schema: { body: Credentials, response: { 201: HandleBody, 400: ErrorBody, 409: ErrorBody, 429: ErrorBody, 503: ErrorBody } } },
    async (request, reply) => {
      const parsed = parseHandle(request.body.handle);
      if (!parsed.ok) throw new ApiError(400, 'invalid_handle', HANDLE_RULE);
      if (!isAcceptablePassword(request.body.password)) throw new ApiError(400, 'invalid_password', PASSWORD_RULE);
      // Checked and counted in one step before anything else waits (the look-up, the hashing), so
      // parallel sign-ups cannot all pass (#17), also over several nodes; a sign-up that ends without
      // an account (handle taken, pool busy, database unreachable) gives it back.
      const counted = await registrations.take(request.ip);
      if (!counted.ok) {
        throw new ApiError(429, 'too_many_accounts', 'Too many new accounts from this address. Try again later.', counted.retryAfter);
      }
      const giveBack = counted.giveBack;
      try {
        if (await accounts.find(parsed.handle)) throw taken();
        const hash = await hashOrBusy(() => hasher.hash(request.body.password, request.ip), 'sign-ups');
        if (!(await accounts.create(parsed.handle, hash))) throw taken();
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
        response: { 200: SessionBody, 400: ErrorBody, ...AuthErrors, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request) => {
      const session = sessionOf(request);
      if (!isAcceptablePassword(request.body.newPassword)) throw new ApiError(400, 'invalid_password', PASSWORD_RULE);
      const verified = await confirmPassword(session.handle, request.body.currentPassword, request.ip);
      if (verified.tokenVersion !== session.tokenVersion) throw changedMeanwhile();
      const hash = await hashOrBusy(() => hasher.hash(request.body.newPassword, request.ip), 'password changes');
      // Only the version whose password was just verified may be replaced: of two concurrent changes
      // the first write wins and the other gets 409, never a token that is dead on arrival.
      const tokenVersion = await accounts.changePassword(session.handle, hash, verified.tokenVersion);
      if (tokenVersion === undefined) throw await lostTheRace(session.handle);
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
        response: { 204: Type.Null(), 400: ErrorBody, ...AuthErrors, 403: ErrorBody, 409: ErrorBody, 429: ErrorBody },
      },
    },
    async (request, reply) => {
      const session = sessionOf(request);
      const verified = await confirmPassword(session.handle, request.body.password, request.ip);
      if (verified.tokenVersion !== session.tokenVersion) throw changedMeanwhile();
      if (!(await accounts.retire(session.handle, verified.tokenVersion))) throw await lostTheRace(session.handle);
      app.signalling.disconnectHandle(session.handle, 'auth_revoked');
      return reply.status(204).send(null);
    },
  );
};

export default accountRoutes;
