import { PeerwallError } from './errors';
import type { Handlers } from './message-router';
import type { PeerHost } from './peer-host/peer-host';
import type { SocialHost } from './social/social-host';
import { takeStagedBackup } from './staged-backup';

/** Maps `host:` messages onto the peer host; each waits until the host has started. */
export function hostHandlers(host: PeerHost, ready: Promise<unknown>, social?: SocialHost): Handlers<'host'> {
  const current = async () => {
    await ready;
    if (!social) throw new PeerwallError('unavailable', 'Friends and posts are not available here.');
    return social.current();
  };
  return {
    'host:get-state': async () => (await ready, host.getState()),
    'host:sign-in': async (credentials) => (await ready, host.signIn(credentials)),
    'host:create-account': async (credentials) => (await ready, host.createAccount(credentials)),
    'host:sign-out': async () => (await ready, host.signOut()),
    'host:reconnect': async () => (await ready, host.reconnectNow()),
    'host:social-state': async () => (await current()).state(),
    'host:add-friend': async ({ handle }) => (await current()).addFriend(handle),
    'host:answer-request': async ({ handle, accept }) => (await current()).answerRequest(handle, accept),
    'host:cancel-request': async ({ handle }) => (await current()).cancelRequest(handle),
    'host:dismiss-unfriended': async ({ handle }) => (await current()).dismissUnfriended(handle),
    'host:dismiss-fork-notice': async () => (await current()).dismissForkNotice(),
    'host:unfriend': async ({ handle }) => (await current()).unfriend(handle),
    'host:block': async ({ handle }) => (await current()).block(handle),
    'host:accept-key-change': async ({ handle }) => (await current()).acceptKeyChange(handle),
    'host:ignore-key-change': async ({ handle }) => (await current()).ignoreKeyChange(handle),
    'host:recover-from-friends': async ({ handles }) => (await current()).recoverFromFriends(handles),
    'host:skip-recovery': async () => (await current()).skipRecovery(),
    'host:unblock': async ({ handle }) => (await current()).unblock(handle),
    'host:post': async ({ text, photos }) => (await current()).post(text, photos ?? []),
    'host:write-on-wall': async ({ wall, text, photos }) => (await current()).writeOnWall(wall, text, photos ?? []),
    'host:comment': async ({ wall, target, text }) => (await current()).comment(wall, target, text),
    'host:like': async ({ wall, target, liked }) => (await current()).like(wall, target, liked),
    'host:edit': async ({ wall, target, text }) => (await current()).edit(wall, target, text),
    'host:delete': async ({ wall, target }) => (await current()).remove(wall, target),
    'host:set-profile': async ({ displayName, about, picture }) => (await current()).setProfile(displayName, about, picture),
    'host:dismiss-rejection': async ({ id }) => (await current()).dismissRejection(id),
    'host:feed': async ({ limit, wall, expanded }) => (await current()).feed(limit, wall, expanded ?? []),
    'host:connection-log': async ({ handle }) => (await current()).connectionLog(handle),
    'host:delete-account': async ({ password, erase }) => (await ready, host.deleteAccount(password, erase ?? false)),
    'host:import-backup': async ({ staged, passphrase }) => {
      await ready;
      const file = await takeStagedBackup(staged);
      if (!file) throw new PeerwallError('invalid_backup', 'The backup file was not received. Choose it again.');
      if (!social) throw new PeerwallError('unavailable', 'Friends and posts are not available here.');
      return social.importBackup(file, passphrase);
    },
  };
}
