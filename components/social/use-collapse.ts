import { computed, ref, type MaybeRefOrGetter, toValue } from 'vue';
import type { TextPart } from '@/platform/social/text-links';
import { collapsedParts } from './text-collapse';

/** A long text's parts shown folded or whole: `long` says whether it folds at all, `toggle` flips it. */
export function useCollapse(parts: MaybeRefOrGetter<readonly TextPart[]>, collapsible: MaybeRefOrGetter<boolean>) {
  const preview = computed(() => (toValue(collapsible) ? collapsedParts(toValue(parts)) : null));
  const expanded = ref(false);
  const long = computed(() => preview.value !== null);
  const shown = computed(() => (preview.value && !expanded.value ? preview.value : toValue(parts)));
  const toggle = () => void (expanded.value = !expanded.value);
  return { long, expanded, shown, toggle };
}
