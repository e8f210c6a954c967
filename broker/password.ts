export const PASSWORD_RULE =
  'A password needs at least 10 characters and at most 72 bytes (72 plain letters; accented letters and emoji count as more).';

const MAX_BYTES = 72; // bcrypt ignores everything after 72 bytes, so longer input is refused, never cut

/** True when bcrypt can hash the password whole and it is long enough. */
export function isAcceptablePassword(password: string): boolean {
  return [...password].length >= 10 && Buffer.byteLength(password, 'utf8') <= MAX_BYTES;
}

/** True when bcrypt would see the whole password (no silent truncation). */
export function fitsBcrypt(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') <= MAX_BYTES;
}
