import { beforeEach, describe, expect, it } from 'vitest';
import { fakeBrowser } from 'wxt/testing/fake-browser';
import FriendList from '@/components/social/FriendList.vue';
import type { FriendView, SocialState } from '@/platform/social/social-views';
import { useConnectionStore } from '@/stores/connection';
import { useFriendsStore } from '@/stores/friends';
import { render } from './support/render-component';
import { friendView } from './support/views';

const state = (friend: FriendView): SocialState => ({
  friends: [friend],
  incoming: [],
  outgoing: [],
  blocked: [],
  problems: [],
  profiles: [],
  rejections: [],
  unfriendedBy: [],
});

async function friendList(friend: FriendView): Promise<string> {
  return render(FriendList, {}, () => {
    useFriendsStore().state = state(friend);
    useConnectionStore().connection = 'online';
  });
}

describe('a friend’s key change on the friend list', () => {
  beforeEach(() => fakeBrowser.reset());

  it('warns in plain words, shows the new safety number and offers Accept new key', async () => {
    const html = await friendList({ ...friendView('bob'), safetyNumber: '11111 22222', keyChange: { at: 1, safetyNumber: '33333 44444', recovery: false } });

    expect(html).toContain('@bob’s identity key changed. This happens when they reinstalled without a backup — or when someone else is trying to be them.');
    expect(html).toContain('aria-label="New safety number with @bob">33333 44444</code>');
    expect(html).toContain('aria-label="Accept new key of @bob">Accept new key</button>');
    expect(html).not.toContain('Yes, accept the new key'); // asked only after the click
  });

  it('says a friend asks to have their wall restored and offers to confirm it is them', async () => {
    const html = await friendList({ ...friendView('carol'), keyChange: { at: 1, safetyNumber: '33333 44444', recovery: true } });

    expect(html).toContain('@carol says they lost their key and asks you to restore their wall — or someone else is trying to be them.');
    expect(html).toContain('aria-label="New safety number with @carol">33333 44444</code>');
    expect(html).toContain('>Confirm it’s @carol</button>');
    expect(html).toContain('>Ignore</button>');
    expect(html).not.toContain('Accept new key');
  });

  it('shows nothing of the kind for a friend whose key did not change', async () => {
    const html = await friendList({ ...friendView('bob'), keyChange: null });

    expect(html).not.toContain('identity key changed');
    expect(html).not.toContain('Accept new key');
  });
});
