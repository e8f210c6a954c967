import { describe, expect, it } from 'vitest';
import { initialOf, likedBySentence, noPostsSentence, refusalSentence, wallStanding } from '@/components/social/conversation-words';
import { allowedActions, nextItemMode, type ItemActionsAllowed, type ItemMode } from '@/components/social/item-actions';
import { useAction } from '@/components/social/use-action';
import { useDraft } from '@/components/social/use-draft';
import type { FriendView } from '@/platform/social/social-views';
import { friendView } from './support/views';

/** A promise the test settles by hand, to look at a control while its action runs. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('who may do what to a post or comment', () => {
  const onAlicesWall = (author: string, hasText = true) => ({ author, wall: 'alice', hasText });

  it('lets the author edit and delete', () => {
    expect(allowedActions(onAlicesWall('bob'), 'bob')).toEqual({ edit: true, remove: true });
  });

  it('lets the owner of the wall delete what others wrote on it, not edit it', () => {
    expect(allowedActions(onAlicesWall('bob'), 'alice')).toEqual({ edit: false, remove: true });
  });

  it('lets the owner edit what they wrote on their own wall', () => {
    expect(allowedActions(onAlicesWall('alice'), 'alice')).toEqual({ edit: true, remove: true });
  });

  it('lets nobody else do anything, nor anyone signed out', () => {
    expect(allowedActions(onAlicesWall('bob'), 'carol')).toEqual({ edit: false, remove: false });
    expect(allowedActions(onAlicesWall('bob'), null)).toEqual({ edit: false, remove: false });
  });

  it('offers no edit of text that has not arrived', () => {
    expect(allowedActions(onAlicesWall('bob', false), 'bob')).toEqual({ edit: false, remove: true });
  });
});

describe('the per-item menu as it is clicked', () => {
  const both: ItemActionsAllowed = { edit: true, remove: true };
  const deleteOnly: ItemActionsAllowed = { edit: false, remove: true };

  it('opens and closes on its button', () => {
    expect(nextItemMode('closed', 'toggle', both)).toBe('menu');
    expect(nextItemMode('menu', 'toggle', both)).toBe('closed');
  });

  it('opens the editor on Edit, and the confirmation on Delete', () => {
    expect(nextItemMode('menu', 'edit', both)).toBe('editing');
    expect(nextItemMode('menu', 'delete', both)).toBe('confirming');
  });

  it('does not edit what only may be deleted', () => {
    expect(nextItemMode('menu', 'edit', deleteOnly)).toBe('menu');
    expect(nextItemMode('menu', 'delete', deleteOnly)).toBe('confirming');
  });

  it('does not open a menu with nothing in it', () => {
    expect(nextItemMode('closed', 'toggle', { edit: false, remove: false })).toBe('closed');
  });

  it('goes back to the text on Cancel, from anywhere', () => {
    for (const mode of ['menu', 'editing', 'confirming'] as ItemMode[]) expect(nextItemMode(mode, 'cancel', both)).toBe('closed');
  });

  it('leaves an open editor alone when the menu button is used again for Edit or Delete', () => {
    expect(nextItemMode('editing', 'delete', both)).toBe('editing');
    expect(nextItemMode('confirming', 'edit', both)).toBe('confirming');
  });
});

describe('a control’s action', () => {
  it('is busy while it runs, ignores a second click, and keeps the error sentence', async () => {
    const { busy, error, run } = useAction();
    const answer = deferred<string | null>();
    let calls = 0;
    const action = () => (calls++, answer.promise);

    const first = run(action);
    expect(busy.value).toBe(true);
    expect(await run(action)).toBe(false);
    answer.resolve('@alice is offline. Try again later.');

    expect(await first).toBe(false);
    expect(calls).toBe(1);
    expect(busy.value).toBe(false);
    expect(error.value).toBe('@alice is offline. Try again later.');
  });

  it('clears the last error when it works, and turns a throw into a sentence', async () => {
    const { error, run } = useAction();
    await run(() => Promise.reject(new Error('boom')));
    expect(error.value).toBe('That did not work. Try again.');

    expect(await run(() => Promise.resolve(null))).toBe(true);
    expect(error.value).toBeNull();
  });
});

describe('a draft', () => {
  it('stays in the box when sending fails, and empties once it worked', async () => {
    const sent: string[] = [];
    let answer: string | null = 'Your browser’s storage is full.';
    const { text, error, submit } = useDraft((body) => (sent.push(body), Promise.resolve(answer)));
    text.value = 'Nice photo!';

    expect(await submit()).toBe(false);
    expect(text.value).toBe('Nice photo!');
    expect(error.value).toBe('Your browser’s storage is full.');

    answer = null;
    expect(await submit()).toBe(true);
    expect(text.value).toBe('');
    expect(error.value).toBeNull();
    expect(sent).toEqual(['Nice photo!', 'Nice photo!']);
  });
});

describe('conversation sentences', () => {
  const friend = (fields: Partial<FriendView>): FriendView => friendView('bob', fields);


  it('names who liked something in the host’s order', () => {
    expect(likedBySentence([])).toBeNull();
    expect(likedBySentence(['carol', 'bob'])).toBe('Liked by @carol, @bob');
    expect(likedBySentence(['carol', 'bob'], (h) => h === 'bob')).toBe('Liked by @carol (not your friend), @bob');
  });

  it('says what a wall’s owner refused, with the reason when there is one', () => {
    expect(refusalSentence('wallPost', 'Too long.')).toBe('did not accept your wall post: Too long.');
    expect(refusalSentence('comment', 'No links, please.')).toBe('did not accept your comment: No links, please.');
    expect(refusalSentence('like', '  ')).toBe('did not accept your like.');
    expect(refusalSentence('unlike', 'x')).toBe('did not accept your unlike: x');
    expect(refusalSentence('edit', 'x')).toBe('did not accept your edit: x');
    expect(refusalSentence('delete', 'x')).toBe('did not accept your delete: x');
  });

  it('says where one stands with a wall’s owner', () => {
    expect(wallStanding('alice', 'alice', undefined)).toBe('This is your wall.');
    expect(wallStanding('bob', 'alice', friend({ presence: 'cant_connect' }))).toBe('Friend · Can’t connect');
    expect(wallStanding('bob', 'alice', friend({ gone: true }))).toBe('Friend · Deleted their account');
    expect(wallStanding('carol', 'alice', undefined)).toBe('Not your friend.');
  });

  it('explains an empty wall', () => {
    expect(noPostsSentence('alice', 'alice', false)).toBe('No posts on your wall yet.');
    expect(noPostsSentence('bob', 'alice', true)).toBe('No posts on @bob’s wall yet.');
  });

  it('puts the first letter of the display name, else of the handle, in the circle', () => {
    expect(initialOf('élodie', 'el')).toBe('É');
    expect(initialOf('  ', 'bob')).toBe('B');
    expect(initialOf(undefined, 'bob')).toBe('B');
    expect(initialOf('😀 Smiley', 'bob')).toBe('😀');
  });
});
