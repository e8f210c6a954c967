import { inject } from 'vitest';
import type { ExtensionDirs } from './extension-build';

declare module 'vitest' {
  export interface ProvidedContext {
    extensionDirs: ExtensionDirs;
  }
}

/** The copies of the built extension this run tests, made by global-setup.ts. */
export function extensionDirs(): ExtensionDirs {
  return inject('extensionDirs');
}
