/** `peerwall-<handle>-<YYYY-MM-DD>.pwbackup`, the day in UTC so a file's name does not depend on where it was made. */
export function backupFileName(handle: string, at: number): string {
  return `peerwall-${handle}-${new Date(at).toISOString().slice(0, 10)}.pwbackup`;
}
