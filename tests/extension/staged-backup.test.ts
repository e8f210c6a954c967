import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { hostHandlers } from '@/platform/host-handlers';
import type { PeerHost } from '@/platform/peer-host/peer-host';
import type { SocialHost } from '@/platform/social/social-host';
import { stageBackupFile, takeStagedBackup } from '@/platform/staged-backup';

describe('a backup file staged for the peer host', () => {
  it('is taken out once, and a newer one replaces an older one never taken', async () => {
    const older = await stageBackupFile(new Uint8Array([1, 2, 3]), 1);
    const newer = await stageBackupFile(new Uint8Array([4, 5]), 2);

    expect(await takeStagedBackup(older)).toBeNull();
    expect(await takeStagedBackup(newer)).toEqual(new Uint8Array([4, 5]));
    expect(await takeStagedBackup(newer)).toBeNull();
  });

  it('reaches the import with its passphrase, and a missing file is asked for again', async () => {
    const seen: { file: Uint8Array; passphrase: string }[] = [];
    const social = {
      importBackup: async (file: Uint8Array, passphrase: string) => (seen.push({ file, passphrase }), { handle: 'alice', written: 3, recovering: true }),
    } as unknown as SocialHost;
    const handlers = hostHandlers({} as PeerHost, Promise.resolve(), social);
    const staged = await stageBackupFile(new Uint8Array([9, 9]), 1);
    const page = { id: 'peerwall@example', url: 'chrome-extension://peerwall/popup.html' };

    expect(await handlers['host:import-backup']({ staged, passphrase: 'long passphrase' }, page)).toEqual({ handle: 'alice', written: 3, recovering: true });
    expect(seen).toEqual([{ file: new Uint8Array([9, 9]), passphrase: 'long passphrase' }]);
    await expect(handlers['host:import-backup']({ staged, passphrase: 'long passphrase' }, page)).rejects.toThrow('The backup file was not received. Choose it again.');
  });
});
