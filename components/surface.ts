import type { InjectionKey } from 'vue';

/** Where the app is shown; some things work differently in a popup (it closes when it loses focus). */
export type Surface = 'popup' | 'sidepanel' | 'welcome';

/** Provided by `PeerwallApp` to everything inside it. */
export const SURFACE: InjectionKey<Surface> = Symbol('surface');
