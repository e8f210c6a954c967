import { HANDLE_RULE, parseHandle } from '@/core/handle';
import { createBrokerClient, type FetchFn } from '../broker-client';
import { parseBrokerUrl } from '../broker-url';
import { PeerwallError } from '../errors';
import type { Credentials, HostState } from '../messages';
import type { SocialHooks } from '../ports';
import type { HostSession, SessionStore } from './host-session';

export interface AccountDeps {
  link: HostSession;
  sessions: Pick<SessionStore, 'erase'>;
  fetch: FetchFn;
  now(): number;
  social?: SocialHooks;
}

function validCredentials(credentials: Credentials): Credentials {
  const handle = parseHandle(credentials.handle);
  if (!handle.ok) throw new PeerwallError('invalid_handle', HANDLE_RULE);
  if (credentials.password.length === 0) throw new PeerwallError('invalid_password', 'Enter your password.');
  const url = parseBrokerUrl(credentials.brokerUrl);
  if (!url.ok) throw new PeerwallError('invalid_broker_url', url.reason);
  return { handle: handle.handle, password: credentials.password, brokerUrl: url.url };
}

/** Sign in, create an account, sign out and delete the account: each talks to the broker, then drives the link. */
export function createAccountActions(deps: AccountDeps) {
  const { link } = deps;

  /** `start`: a sign-in to an existing account, or the one that follows creating it. */
  async function signIn(credentials: Credentials, start: 'sign-in' | 'sign-up' = 'sign-in'): Promise<HostState> {
    const valid = validCredentials(credentials);
    const grant = await createBrokerClient(valid.brokerUrl, deps.fetch).signIn(valid.handle, valid.password);
    return link.begin({
      handle: grant.handle,
      token: grant.token,
      expiresAt: grant.expiresAt,
      obtainedAt: deps.now(),
      brokerUrl: valid.brokerUrl,
      displaced: false,
    }, start);
  }

  return {
    signIn: (credentials: Credentials) => signIn(credentials),
    async createAccount(credentials: Credentials): Promise<HostState> {
      const valid = validCredentials(credentials);
      await createBrokerClient(valid.brokerUrl, deps.fetch).createAccount(valid.handle, valid.password);
      return signIn(valid, 'sign-up');
    },
    async signOut(): Promise<HostState> {
      await link.end(null);
      return link.getState();
    },
    /**
     * Deletes the broker account, sends a goodbye to connected friends and signs out; with `erase`, then
     * erases everything Peerwall stored for the account in this browser.
     */
    async deleteAccount(password: string, erase = false): Promise<HostState> {
      const current = link.current();
      if (!current) throw new PeerwallError('signed_out', 'Sign in first.');
      if (password.length === 0) throw new PeerwallError('invalid_password', 'Enter your password to delete your account.');
      const broker = createBrokerClient(current.brokerUrl, deps.fetch);
      // The goodbye cannot be taken back, so the password is checked first (a sign-in has no
      // other effect until its token connects); a wrong one changes nothing here.
      try {
        await broker.signIn(current.handle, password);
      } catch (error) {
        if (error instanceof PeerwallError && error.code === 'invalid_credentials') {
          throw new PeerwallError('wrong_password', 'That password is not correct. Nothing was deleted.', 403);
        }
        throw error;
      }
      // Goodbye first, while still online so friends can be reached; deleting first would close
      // the broker socket and leave only connections that happened to be open.
      try {
        await deps.social?.farewell();
      } catch (error) {
        console.error('[peerwall] The goodbye could not be sent', error);
      }
      if (link.current() !== current) throw new PeerwallError('signed_out', 'You signed out while the account was being deleted.');
      // The broker now closes our socket (`auth_revoked`): its events are ignored from here.
      link.hold();
      try {
        await broker.deleteAccount(current.token, password);
      } catch (error) {
        link.release(); // nothing was deleted: back online as before
        throw error;
      }
      if (!erase) {
        await link.end('Your account was deleted. Your handle stays retired.');
        return link.getState();
      }
      await link.end('Your account was deleted and its data erased from this browser. Your handle stays retired.');
      try {
        await deps.social?.erase(current.handle);
        await deps.sessions.erase?.(current.handle);
      } catch (error) {
        console.error('[peerwall] Erasing the account data failed', error);
        throw new PeerwallError(
          'erase_failed',
          'Your account was deleted, but Peerwall could not erase all of its data in this browser. Close other Peerwall windows and try again.',
        );
      }
      return link.getState();
    },
  };
}
