// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import BackupExport from '@/components/backup/BackupExport.vue';
import BackupImport from '@/components/backup/BackupImport.vue';
import { SURFACE } from '@/components/surface';
import BackupReminder from '@/components/backup/BackupReminder.vue';
import RecoveringNotice from '@/components/backup/RecoveringNotice.vue';
import { importedSentence } from '@/components/backup/imported-sentence';
import { BACKUP_REMINDER_MS, backupDue, recordBackup } from '@/platform/backup/backup-times';
import { backupFileName } from '@/platform/backup/backup-file-name';
import { useFriendsStore } from '@/stores/friends';
import { useSessionStore } from '@/stores/session';

function mountSignedIn(component: object, props: Record<string, unknown> = {}, setup?: () => void) {
  const pinia = createPinia();
  setActivePinia(pinia);
  useSessionStore().handle = 'alice';
  setup?.();
  return mount(component, { props, global: { plugins: [pinia] }, attachTo: document.body });
}

describe('backup in the extension’s pages', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });

  it('names the file after the handle and the day', () => {
    expect(backupFileName('alice', Date.UTC(2026, 10, 26, 23, 59))).toBe('peerwall-alice-2026-11-26.pwbackup');
  });

  it('asks for a backup when none was made, and again 30 days after the last', () => {
    const now = Date.UTC(2026, 10, 26);
    expect(backupDue({}, 'alice', now)).toBe(true);
    expect(backupDue({ alice: now - BACKUP_REMINDER_MS + 1 }, 'alice', now)).toBe(false);
    expect(backupDue({ alice: now - BACKUP_REMINDER_MS - 1 }, 'alice', now)).toBe(true);
    expect(backupDue({ bob: now }, 'alice', now)).toBe(true);
  });

  it('shows “Back up your account” until a backup is recorded', async () => {
    const reminder = mountSignedIn(BackupReminder, { link: true });
    await flushPromises();
    expect(reminder.text()).toContain('Back up your account');

    await recordBackup('alice', Date.now());
    await flushPromises();
    expect(reminder.text()).toBe('');
  });

  it('says in Settings when the last backup was made', async () => {
    await recordBackup('alice', Date.UTC(2026, 10, 20, 12));
    const settings = mountSignedIn(BackupReminder, { link: false });
    await flushPromises();
    expect(settings.text()).toBe(`Last backup made ${new Date(Date.UTC(2026, 10, 20, 12)).toLocaleDateString()}.`);
  });

  it('wants the Backup passphrase twice, at least 8 characters, before exporting', async () => {
    const form = mountSignedIn(BackupExport);
    await form.get('#pw-backup-passphrase').setValue('short');
    await form.get('form').trigger('submit');
    expect(form.get('[role=alert]').text()).toContain('at least 8 characters');

    await form.get('#pw-backup-passphrase').setValue('long enough words');
    await form.get('#pw-backup-repeat').setValue('long enough wordz');
    await form.get('form').trigger('submit');
    expect(form.get('[role=alert]').text()).toBe('The two passphrases differ. Type the same one twice.');
  });

  it('says why writing waits while the own wall is recovering', async () => {
    const notice = mountSignedIn(RecoveringNotice, {}, () => {
      useFriendsStore().state = { ...useFriendsStore().state, recovering: true };
    });
    expect(notice.text()).toContain('Your wall is being restored from your friends.');
    useFriendsStore().state = { ...useFriendsStore().state, recovering: false };
    await flushPromises();
    expect(notice.text()).toBe('');
  });

  it('tells a restored person to sign in as the backup’s handle, and a merge that found nothing new', () => {
    expect(importedSentence({ handle: 'alice', written: 40, recovering: true, differing: [] }, false)).toMatch(/^Restored @alice from your backup\. Sign in as @alice/);
    expect(importedSentence({ handle: 'alice', written: 0, recovering: false, differing: [] }, true)).toBe('Everything in this backup was here already. Nothing was changed.');
    expect(importedSentence({ handle: 'alice', written: 3, recovering: false, differing: ['bob', 'carol'] }, true)).toBe(
      'Imported your backup: what was missing here is back. The backup holds a different version of @bob’s and @carol’s walls than this browser; the version here was kept.',
    );
  });
});

describe('importing in Firefox’s popup', () => {
  beforeEach(() => {
    fakeBrowser.reset();
    document.body.innerHTML = '';
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('sends the person to the side panel, since the popup closes when a file picker opens', () => {
    vi.stubEnv('FIREFOX', true as unknown as string); // WXT's env flag is a boolean
    vi.spyOn(fakeBrowser.windows, 'getCurrent').mockResolvedValue({ id: 1 } as Awaited<ReturnType<typeof fakeBrowser.windows.getCurrent>>);
    const pinia = createPinia();
    setActivePinia(pinia);
    const popup = mount(BackupImport, { props: { signedIn: false }, global: { plugins: [pinia], provide: { [SURFACE as symbol]: 'popup' } } });
    expect(popup.text()).toContain('Firefox closes this popup when a file picker opens');
    expect(popup.find('input[type=file]').exists()).toBe(false);
    expect(popup.get('button').text()).toBe('Open side panel');

    const panel = mount(BackupImport, { props: { signedIn: false }, global: { plugins: [pinia], provide: { [SURFACE as symbol]: 'sidepanel' } } });
    expect(panel.find('input[type=file]').exists()).toBe(true);
  });
});
