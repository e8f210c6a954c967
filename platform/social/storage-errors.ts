import { StorageFullError } from '@/core/replica';

/** IndexedDB's full-disk error as the typed core error; any other error unchanged. */
export function storageError(error: unknown): unknown {
  if (error instanceof StorageFullError) return error;
  if (error instanceof DOMException && error.name === 'QuotaExceededError') return new StorageFullError({ cause: error });
  // An aborted transaction reports its cause as the error of the request that failed.
  if (error instanceof Error && error.name === 'QuotaExceededError') return new StorageFullError({ cause: error });
  return error;
}

/** Runs a storage write; a full disk rejects with `StorageFullError`. */
export async function guardStorage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw storageError(error);
  }
}
