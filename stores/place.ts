import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useFeedStore } from './feed';
import { useSessionStore } from './session';

/** The places of a signed-in page: posts (the Feed or one wall), Friends and Settings. */
export type Section = 'posts' | 'friends' | 'settings';

/** What the navigation marks as the current place; `wall` is a friend's (or anyone's) wall. */
export type Place = 'feed' | 'own-wall' | 'wall' | 'friends' | 'settings';

/**
 * Which place a page shows. A popup is rebuilt on every open, so it starts on the Feed at the top;
 * the wall shown within the posts section stays the feed store's (`wall`).
 */
export const usePlaceStore = defineStore('place', () => {
  const section = ref<Section>('posts');
  const feed = useFeedStore();
  const session = useSessionStore();

  const place = computed<Place>(() => {
    if (section.value !== 'posts') return section.value;
    if (feed.wall === null) return 'feed';
    return feed.wall === session.handle ? 'own-wall' : 'wall';
  });

  /** Shows a section; the posts section keeps the wall it last showed. */
  function show(next: Section): void {
    section.value = next;
    scrollToTop();
  }

  /** Shows the Feed (null) or a wall, in the posts section. */
  async function showWall(handle: string | null): Promise<void> {
    section.value = 'posts';
    scrollToTop();
    await feed.showWall(handle);
  }

  return { section, place, show, showWall };
});

function scrollToTop(): void {
  if (typeof window !== 'undefined') window.scrollTo?.({ top: 0 });
}
