import type { ExtensionPage } from './extension-page';
import { pageRoot, type NodeRole, type PageNode } from './page-node';
import { ensurePosts } from './places';
import { openWall, shownPosts } from './social';
import { waitFor } from './wait';

/**
 * What a person does and sees in a conversation (issue 10's UI contract: every post an `article`, its comments
 * a list **Comments**, a form **Write a comment** + **Comment**, **Like** with `aria-pressed` and its count in
 * its text, menus **Post actions** / **Comment actions** revealing **Edit** and **Delete**, an `alertdialog`
 * **Confirm delete** with **Yes, delete**). Several posts are on a page at once and the same names repeat on
 * each post and each comment, so every control is looked for inside the article that shows a given text.
 */

/** Where in a post to look. */
export interface InPost {
  /** Text the post's article shows — its own text, unique among the posts on the page. */
  post: string;
  /** Text of one of its comments: look inside that comment's list item. */
  comment?: string;
  /** Look anywhere in the article, its comments included (for names that occur once there: **Save**, **Comment**). */
  anywhere?: boolean;
}

/** A button (or another role) by its accessible name, or a form field by its label. */
type Wanted = { role: NodeRole; name: string } | { field: string };

export interface LikeState {
  /** `aria-pressed`: the signed-in person likes it. */
  pressed: boolean;
  /** The count the button shows after **Like** (0 when it shows none). */
  count: number;
  /** Who liked it, as the button's description says (`Liked by @carol, @bob`). */
  likedBy: string;
  /** The button's visible text, for messages. */
  text: string;
}

/** Looking for a control gives up after this long: the post itself is already on the page. */
const FIND_MS = 10_000;

const wantedName = (wanted: Wanted): string => ('field' in wanted ? `field "${wanted.field}"` : `${wanted.role} "${wanted.name}"`);

function placeName(where: InPost): string {
  if (where.comment !== undefined) return `the comment "${where.comment}" under the post "${where.post}"`;
  return where.anywhere ? `the post "${where.post}" (with its comments)` : `the post "${where.post}" (outside its comments)`;
}

/** The one article showing `post`, or why there is not exactly one. */
async function articleWith(page: ExtensionPage, post: string): Promise<PageNode | string> {
  await ensurePosts(page);
  const articles = await (await pageRoot(page)).all('article', { text: post });
  return articles.length === 1 ? articles[0]! : `${articles.length} articles show "${post}"`;
}

/** The list items of an article's **Comments** list. */
async function commentItems(article: PageNode, text?: string): Promise<PageNode[]> {
  const items: PageNode[] = [];
  for (const list of await article.all('list', { name: 'Comments' })) items.push(...(await list.all('listitem', text === undefined ? {} : { text })));
  return items;
}

/** The element `where` points at (an article or a comment), or why there is not exactly one. */
async function placeOf(page: ExtensionPage, where: InPost): Promise<PageNode | string> {
  const article = await articleWith(page, where.post);
  if (typeof article === 'string' || where.comment === undefined) return article;
  const items = await commentItems(article, where.comment);
  return items.length === 1 ? items[0]! : `${items.length} comments under "${where.post}" show "${where.comment}"`;
}

/** One try at the control `wanted` in `where`; a string says why it is not (yet) there. */
async function tryFind(page: ExtensionPage, where: InPost, wanted: Wanted): Promise<PageNode | string> {
  const place = await placeOf(page, where);
  if (typeof place === 'string') return place;
  let found = 'field' in wanted ? await place.fields(wanted.field) : await place.all(wanted.role, { name: wanted.name });
  if (where.comment === undefined && !where.anywhere) {
    // The post's own controls: a comment's Like, Edit or Delete has the same name.
    const outside = await Promise.all(found.map((node) => node.evaluate((element) => element.closest('[aria-label="Comments"]') === null)));
    found = found.filter((_, index) => outside[index]);
  }
  return found.length === 1 ? found[0]! : `${found.length} visible ${wantedName(wanted)} in ${placeName(where)}`;
}

/** The visible text of every post on the page, shortened, for failure messages. */
async function describePosts(page: ExtensionPage): Promise<string> {
  const posts = await shownPosts(page).catch((error: unknown) => [{ label: 'unreadable', text: String(error) }]);
  return JSON.stringify(posts.map((post) => post.text.replace(/\s+/g, ' ').slice(0, 400)));
}

/** Waits for the one control `wanted` in `where`; fails saying what the page showed. */
export async function findIn(page: ExtensionPage, where: InPost, wanted: Wanted, timeoutMs = FIND_MS): Promise<PageNode> {
  let last = '';
  try {
    return await waitFor(
      async () => {
        const found = await tryFind(page, where, wanted);
        if (typeof found !== 'string') return found;
        last = found;
        return undefined;
      },
      { timeoutMs, describe: () => `${last}, on ${page.kind} ${page.file}` },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; its posts read ${await describePosts(page)}`);
  }
}

/** Clicks the button `name` in `where`. */
export async function clickIn(page: ExtensionPage, where: InPost, name: string): Promise<void> {
  await (await findIn(page, where, { role: 'button', name })).click();
}

/** Clicks the post's own button `name` (**Like**, **Post actions**, **Delete** …), not one of its comments'. */
export function clickInPost(page: ExtensionPage, post: string, name: string): Promise<void> {
  return clickIn(page, { post }, name);
}

/** Clicks the button `name` (**Like**, **Comment actions**, **Edit** …) of the comment showing `comment`. */
export function clickInComment(page: ExtensionPage, post: string, comment: string, name: string): Promise<void> {
  return clickIn(page, { post, comment }, name);
}

/** Fills the field labelled `label` in the post's article (**Write a comment**, **Edit comment**: one per article). */
export async function fillInPost(page: ExtensionPage, post: string, label: string, value: string): Promise<void> {
  await (await findIn(page, { post, anywhere: true }, { field: label })).fill(value);
}

/** The text of each comment under the post, oldest first. Fails unless exactly one article shows `post`. */
export async function commentsOf(page: ExtensionPage, post: string): Promise<string[]> {
  const article = await articleWith(page, post);
  if (typeof article === 'string') throw new Error(`${page.kind} ${page.file}: ${article}; its posts read ${await describePosts(page)}`);
  return Promise.all((await commentItems(article)).map((item) => item.text()));
}

/** Waits until a comment under the post matches (contains the text, or passes the test); returns its text. */
export async function waitForComment(
  page: ExtensionPage,
  post: string,
  match: string | ((text: string) => boolean),
  timeoutMs = 20_000,
): Promise<string> {
  const matches = typeof match === 'string' ? (text: string) => text.includes(match) : match;
  let seen: string[] | string = 'nothing yet';
  return waitFor(
    async () => {
      const article = await articleWith(page, post);
      if (typeof article === 'string') {
        seen = article;
        return undefined;
      }
      const texts = await Promise.all((await commentItems(article)).map((item) => item.text()));
      seen = texts;
      return texts.find(matches);
    },
    {
      timeoutMs,
      describe: () =>
        `no comment ${typeof match === 'string' ? `"${match}"` : 'as expected'} under "${post}" on ${page.kind} ${page.file}; ` +
        `its comments: ${JSON.stringify(seen)}`,
    },
  );
}

/** Fills **Write a comment** under the post, clicks **Comment**, and waits until the comment shows there. */
export async function commentOn(page: ExtensionPage, post: string, comment: string): Promise<void> {
  await fillInPost(page, post, 'Write a comment', comment);
  await clickIn(page, { post, anywhere: true }, 'Comment');
  await waitForComment(page, post, comment, 15_000);
}

/** What the **Like** button of the post (or of one of its comments) shows; undefined while it is not there. */
async function readLike(page: ExtensionPage, where: InPost): Promise<LikeState | string> {
  const button = await tryFind(page, where, { role: 'button', name: 'Like' });
  if (typeof button === 'string') return button;
  const raw = await button.evaluate((element) => {
    const described = (element.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => (id ? (document.getElementById(id)?.textContent ?? '') : ''))
      .join(' ')
      .trim();
    return { pressed: element.getAttribute('aria-pressed'), text: element.innerText, likedBy: element.getAttribute('title') || described };
  });
  const count = /\d+/.exec(raw.text)?.[0];
  return { pressed: raw.pressed === 'true', count: count === undefined ? 0 : Number(count), likedBy: raw.likedBy, text: raw.text.trim() };
}

/** The **Like** state of the post, or of its comment showing `comment`. */
export async function likeState(page: ExtensionPage, post: string, comment?: string): Promise<LikeState> {
  await findIn(page, { post, comment }, { role: 'button', name: 'Like' });
  const state = await readLike(page, { post, comment });
  if (typeof state === 'string') throw new Error(`${page.kind} ${page.file}: ${state}`);
  return state;
}

/**
 * Waits until the post's **Like** shows `count` (and `pressed`, when given); returns what it shows. A count of 0
 * means the button shows no number at all (the count appears only when there are likes).
 */
export async function waitForLikes(
  page: ExtensionPage,
  post: string,
  expected: { count: number; pressed?: boolean },
  timeoutMs = 20_000,
): Promise<LikeState> {
  let seen: LikeState | string = 'nothing yet';
  return waitFor(
    async () => {
      seen = await readLike(page, { post });
      if (typeof seen === 'string') return undefined;
      const pressedOk = expected.pressed === undefined || seen.pressed === expected.pressed;
      const countOk = expected.count === 0 ? !/\d/.test(seen.text) : seen.count === expected.count;
      return countOk && pressedOk ? seen : undefined;
    },
    {
      timeoutMs,
      describe: () =>
        `the Like of "${post}" on ${page.kind} ${page.file} is not count ${expected.count}` +
        `${expected.pressed === undefined ? '' : `, aria-pressed ${expected.pressed}`}; it shows ${JSON.stringify(seen)}`,
    },
  );
}

/** Waits until no article on the page shows `text`. */
export async function waitForNoPost(page: ExtensionPage, text: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => ((await shownPosts(page)).some((post) => post.text.includes(text)) ? undefined : true), {
    timeoutMs,
    describe: () => `${page.kind} ${page.file} still shows a post with "${text}"`,
  });
}

/** On a friend's wall (opened from Friends unless it shows): fills **Write on @owner's wall**, clicks **Post**, and waits until the post shows. */
export async function writeOnWall(page: ExtensionPage, owner: string, text: string): Promise<void> {
  if (!(await page.hasField(`Write on @${owner}'s wall`))) await openWall(page, owner);
  await page.fill(`Write on @${owner}'s wall`, text);
  await page.click('Post');
  await waitFor(async () => ((await shownPosts(page)).some((post) => post.text.includes(text)) ? true : undefined), {
    timeoutMs: 15_000,
    describe: () => `the post "${text}" does not show on ${page.kind} ${page.file} after Post`,
  }).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}; it reads ${JSON.stringify((await page.visibleText()).slice(0, 800))}`);
  });
}

/** Answers the inline `alertdialog` **Confirm delete** in the post with **Yes, delete**, after checking what it asks. */
export async function confirmDelete(page: ExtensionPage, post: string, what: 'post' | 'comment'): Promise<void> {
  const dialog = await findIn(page, { post, anywhere: true }, { role: 'alertdialog', name: 'Confirm delete' });
  const question = await dialog.text();
  if (!question.includes(`Delete this ${what} for everyone?`)) {
    throw new Error(`${page.kind} ${page.file}: Confirm delete asks ${JSON.stringify(question)}, not "Delete this ${what} for everyone?"`);
  }
  const yes = await dialog.all('button', { name: 'Yes, delete' });
  if (yes.length !== 1) throw new Error(`${page.kind} ${page.file}: ${yes.length} buttons "Yes, delete" in Confirm delete`);
  await yes[0]!.click();
}

/** **Post actions** → **Delete** → **Yes, delete** on the post. */
export async function deletePost(page: ExtensionPage, post: string): Promise<void> {
  await clickInPost(page, post, 'Post actions');
  await clickInPost(page, post, 'Delete');
  await confirmDelete(page, post, 'post');
}

/** **Comment actions** → **Edit** → **Edit comment** → **Save**; waits until the page shows the new text. */
export async function editComment(page: ExtensionPage, post: string, comment: string, newText: string): Promise<void> {
  await clickInComment(page, post, comment, 'Comment actions');
  await clickInComment(page, post, comment, 'Edit');
  // While it is edited the comment's text is in the box, not in its list item: the box and Save are found in the article.
  await fillInPost(page, post, 'Edit comment', newText);
  await clickIn(page, { post, anywhere: true }, 'Save');
  await waitForComment(page, post, newText, 15_000);
}

/** Whether the post's article holds a link named exactly `name` (e.g. `@alice`, with a display name beside it). */
export async function hasLinkInPost(page: ExtensionPage, post: string, name: string): Promise<boolean> {
  const article = await articleWith(page, post);
  return typeof article !== 'string' && (await article.all('link', { name })).length > 0;
}
