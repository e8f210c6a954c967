import type { BackupImported } from '@/platform/backup/merge-backup';

/** What the person reads after an import: what happened, and what to do next. */
export function importedSentence(imported: BackupImported, signedIn: boolean): string {
  const waits = imported.recovering
    ? ' Writing on your wall waits until a friend connects and shares their copy of it, so your next post continues your wall.'
    : '';
  if (!signedIn) return `Restored @${imported.handle} from your backup. Sign in as @${imported.handle} to continue; friends see the same identity as before.${waits}`;
  if (imported.written === 0) return 'Everything in this backup was here already. Nothing was changed.';
  return `Imported your backup: what was missing here is back.${waits}`;
}
