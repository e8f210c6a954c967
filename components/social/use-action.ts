import { ref } from 'vue';

/**
 * One control's action: `busy` while it runs (a second click is ignored), then `error` with the
 * sentence the store returned. Resolves true when it worked.
 */
export function useAction() {
  const busy = ref(false);
  const error = ref<string | null>(null);

  async function run(action: () => Promise<string | null>): Promise<boolean> {
    if (busy.value) return false;
    busy.value = true;
    error.value = null;
    try {
      error.value = await action();
    } catch {
      error.value = 'That did not work. Try again.';
    } finally {
      busy.value = false;
    }
    return error.value === null;
  }

  return { busy, error, run };
}
