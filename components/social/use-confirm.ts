import { nextTick, shallowRef } from 'vue';

/** Something focusable: the button that opened a confirmation gets the focus back on Cancel. */
interface Focusable {
  focus(): void;
}

/**
 * Which one of a list's confirmations is open (at most one), and the buttons that open them, so
 * that Cancel (or Escape) puts the focus back where the person was.
 */
export function useConfirm<A extends string>() {
  const asking = shallowRef<{ action: A; handle: string } | null>(null);
  const openers = new Map<string, Focusable>();
  const key = (action: A, handle: string) => `${action}:${handle}`;

  return {
    asking,
    isAsking: (action: A, handle: string): boolean => asking.value?.action === action && asking.value.handle === handle,
    ask(action: A, handle: string): void {
      asking.value = { action, handle };
    },
    /** A function ref for the button that opens `action` for `handle`. */
    opener: (action: A, handle: string) => (element: unknown) => {
      if (element && typeof (element as Focusable).focus === 'function') openers.set(key(action, handle), element as Focusable);
      else openers.delete(key(action, handle));
    },
    async cancel(): Promise<void> {
      const was = asking.value;
      asking.value = null;
      if (!was) return;
      await nextTick();
      openers.get(key(was.action, was.handle))?.focus();
    },
    /** The action was done: the row it was on is gone, so there is nothing to give the focus back to. */
    done(): void {
      asking.value = null;
    },
  };
}
