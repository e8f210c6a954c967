import type { ExtensionPage } from '../../e2e/support/extension-page';
import { createAccount, getState, request, waitForConnection } from '../../e2e/support/flows';
import { Scene } from '../../e2e/support/scene';
import { SignallingProxy } from '../../e2e/support/signalling-proxy';
import { befriend } from '../../e2e/support/social';
import type { TestUser } from '../../e2e/support/test-user';
import * as vethPath from '../../e2e/support/veth-path';
import { waitFor } from '../../e2e/support/wait';
import { cutDataChannels } from './cut-channels';

const SETUP_CONNECT_MS = 45_000;

/** One person in the soak scene: their browser and the popup the harness keeps open (reopened after a relaunch). */
export interface Member {
  readonly name: string;
  readonly user: TestUser;
  popup: ExtensionPage;
}

/** What `host:social-state` says about one friend (the part the soak reads). */
interface FriendSeen {
  handle: string;
  presence: string;
  problem: string | null;
  waiting: number;
}

/**
 * The soak's world: a Scene (broker, Chromium users, artifacts), a fault-injecting proxy every user signs in
 * through, and the namespace's veth pair carrying the browsers' data paths. Every member is a friend of every
 * other member.
 */
export class SoakScene {
  readonly scene: Scene;
  readonly proxy: SignallingProxy;
  readonly members: Member[] = [];
  /** How befriending went, for the report. */
  readonly setupNotes: string[] = [];
  private routed = false;

  constructor(name: string, seed: number) {
    this.scene = new Scene(name);
    this.proxy = new SignallingProxy(() => this.scene.broker.url, seed);
  }

  get broker() {
    return this.scene.broker;
  }

  member(name: string): Member {
    const member = this.members.find((m) => m.name === name);
    if (!member) throw new Error(`${name} is not in the soak scene.`);
    return member;
  }

  /** Starts the broker, the proxy and the first members' browsers; routes their data paths over the veth pair. */
  async start(names: readonly string[]): Promise<void> {
    // SOAK_LINK_PATH=loopback leaves the shortcut in place, to see that a link going down then interrupts nothing.
    if (process.env.SOAK_LINK_PATH !== 'loopback') {
      vethPath.routeOverVeth();
      this.routed = true;
    }
    const users = await this.scene.start(names.map((name) => [name, 'chromium'] as const));
    await this.proxy.listen();
    for (const user of users) await this.join(user);
  }

  /** A new person joins: a browser, an account through the proxy, and a friendship with everyone already here. */
  async addMember(name: string): Promise<void> {
    await this.join(await this.scene.addUser(name, 'chromium'));
  }

  private async join(user: TestUser): Promise<void> {
    const popup = await user.openPopup();
    await createAccount(popup, { handle: user.name, brokerUrl: this.proxy.url });
    await waitForConnection(popup, 'Online');
    const member: Member = { name: user.name, user, popup };
    for (const friend of this.members) {
      await befriend(popup, member.name, friend.popup, friend.name);
      // Not being connected yet is the very bug the soak looks for: noted in the report, not fatal to the run.
      const started = Date.now();
      const connected = await waitFor(
        async () => ((await this.presenceOf(member, friend.name)) === 'online' && (await this.presenceOf(friend, member.name)) === 'online' ? true : undefined),
        { timeoutMs: SETUP_CONNECT_MS, describe: () => '' },
      ).catch(() => false);
      this.setupNotes.push(
        connected
          ? `@${member.name} and @${friend.name} connected ${((Date.now() - started) / 1000).toFixed(1)} s after befriending`
          : `@${member.name} and @${friend.name} NOT connected ${SETUP_CONNECT_MS / 1000} s after befriending (they show each other as ` +
              `${await this.presenceOf(member, friend.name)} / ${await this.presenceOf(friend, member.name)})`,
      );
    }
    this.members.push(member);
  }

  /** Opens a fresh popup for `member` (after a relaunch, or after the harness closed its pages). */
  async reopenPopup(member: Member): Promise<void> {
    member.popup = await member.user.openPopup();
  }

  /** `host:get-state`'s connection, or a `<…>` note when the question itself failed. */
  async connectionOf(member: Member): Promise<string> {
    return getState(member.popup).then(
      (state) => String(state.connection),
      (error: unknown) => `<${String(error).slice(0, 80)}>`,
    );
  }

  async friendsSeenBy(member: Member): Promise<FriendSeen[]> {
    const state = (await request(member.popup, 'host:social-state')) as { friends: FriendSeen[] };
    return state.friends;
  }

  /** What `member`'s peer host says about `friend` (`online` once a sync connection is ready). */
  async presenceOf(member: Member, friend: string): Promise<string | undefined> {
    const friends = await this.friendsSeenBy(member).catch(() => []);
    return friends.find((f) => f.handle === friend)?.presence;
  }

  /** Whether `member`'s feed holds a post by `author` with exactly `text`. */
  async hasPost(member: Member, author: string, text: string): Promise<boolean> {
    const feed = (await request(member.popup, 'host:feed', { limit: 50, wall: null }).catch(() => [])) as Array<{
      author: string;
      text: string | null;
    }>;
    return feed.some((post) => post.author === author && post.text === text);
  }

  /** Closes `member`'s data channels as a network failure would, so the next post needs a new connection. */
  cutConnections(member: Member): Promise<number> {
    return cutDataChannels(member.user);
  }

  async dispose(): Promise<void> {
    if (this.routed) vethPath.restore();
    await this.proxy.close().catch(() => undefined);
    await this.scene.dispose();
  }
}
