import { ref } from 'vue';
import { useAction } from './use-action';

/**
 * A text box's draft and its sending: emptied once `send` worked, kept as typed when it failed
 * (its sentence in `error`), so nothing a person wrote is lost.
 */
export function useDraft(send: (text: string) => Promise<string | null>, initial = '') {
  const text = ref(initial);
  const { busy, error, run } = useAction();

  async function submit(): Promise<boolean> {
    const sent = await run(() => send(text.value));
    if (sent) text.value = '';
    return sent;
  }

  return { text, busy, error, submit };
}
