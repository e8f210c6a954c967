import { ref, watch } from 'vue';
import { storeToRefs } from 'pinia';
import { useFeedStore } from '@/stores/feed';

/**
 * What a form says became of the last entry it sent to a friend's wall ("Will be delivered when
 * @alice comes online."): shown while that entry is still pending on the page, gone once sealed.
 */
export function useReceipt() {
  const feed = useFeedStore();
  const { receipt, receiptFor, posts } = storeToRefs(feed);
  const sent = ref<string | null>(null);
  let sentId: string | null = null;
  watch(posts, () => {
    if (sentId !== null && !feed.pendingHere(sentId)) [sent.value, sentId] = [null, null];
  });
  return {
    sent,
    /** Takes the store's receipt of what this form just sent. */
    remember(): void {
      [sent.value, sentId] = receipt.value === null ? [null, null] : [receipt.value, receiptFor.value];
    },
    clear(): void {
      [sent.value, sentId] = [null, null];
    },
  };
}
