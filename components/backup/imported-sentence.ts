import type { BackupImported } from '@/platform/backup/merge-backup';

/** What the person reads after an import: what happened, and what to do next. */
export function importedSentence(imported: BackupImported, signedIn: boolean): string {
  const waits = imported.recovering
    ? ' Writing on your wall waits until a friend connects and shares their copy of it, so your next post continues your wall.'
    : '';
  const kept = imported.differing.length ? ` The backup holds a different version of ${whose(imported.differing)} than this browser; the version here was kept.` : '';
  if (!signedIn) return `Restored @${imported.handle} from your backup. Sign in as @${imported.handle} to continue; friends see the same identity as before.${waits}${kept}`;
  if (imported.written === 0) return `Everything in this backup was here already. Nothing was changed.${kept}`;
  return `Imported your backup: what was missing here is back.${waits}${kept}`;
}

/** "@alice’s wall", "@alice’s and @bob’s walls", or "5 walls". */
function whose(walls: readonly string[]): string {
  if (walls.length > 3) return `${walls.length} walls`;
  const named = walls.map((w) => `@${w}’s`);
  return named.length === 1 ? `${named[0]} wall` : `${named.slice(0, -1).join(', ')} and ${named.at(-1)} walls`;
}
