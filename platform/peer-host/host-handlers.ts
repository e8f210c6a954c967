import type { Handlers } from '../message-router';
import type { PeerHost } from './peer-host';

/** Maps `host:` messages onto the peer host; each waits until the host has started. */
export function hostHandlers(host: PeerHost, ready: Promise<unknown>): Handlers<'host'> {
  return {
    'host:get-state': async () => (await ready, host.getState()),
    'host:sign-in': async (credentials) => (await ready, host.signIn(credentials)),
    'host:create-account': async (credentials) => (await ready, host.createAccount(credentials)),
    'host:sign-out': async () => (await ready, host.signOut()),
    'host:reconnect': async () => (await ready, host.reconnectNow()),
    'host:set-contacts': async ({ handles }) => (await ready, host.setContacts(handles)),
    'host:probe-peer': async ({ handle }) => (await ready, host.probe(handle)),
  };
}
