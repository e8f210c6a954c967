import type { Account, AccountStore } from './accounts';
import type { Hasher } from './hasher';
import { fitsBcrypt } from './password';

export interface CredentialChecker {
  /**
   * The active account when `password` is its password, else undefined. Unknown and retired
   * handles are checked against a dummy hash so that every failure costs one bcrypt comparison,
   * counted against `client`'s share of the hashing pool.
   */
  check(handle: string, password: string, client: string): Promise<Account | undefined>;
}

export function createCredentialChecker(deps: {
  accounts: AccountStore;
  hasher: Hasher;
  dummyHash: string;
}): CredentialChecker {
  return {
    async check(handle, password, client) {
      const account = await deps.accounts.find(handle);
      const active = account !== undefined && account.retiredAt === null;
      // bcrypt would compare only the first 72 bytes of a longer password, so such a password
      // can never be right; it still pays for one comparison.
      const usable = active && fitsBcrypt(password);
      const matches = await deps.hasher.verify(password, usable ? account.passwordHash : deps.dummyHash, client);
      return usable && matches ? account : undefined;
    },
  };
}
