import type { ForkRepair } from '@/core/forkRepair';

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** What the entries sealed anew were, in words: "2 posts", "1 post and 1 comment", "3 entries". */
function whatMoved(repair: ForkRepair): string {
  const moved = repair.added.slice(repair.added.length - repair.resealed);
  const posts = moved.filter((e) => e.header.kind === 'post' || e.header.kind === 'wallPost').length;
  const comments = moved.filter((e) => e.header.kind === 'comment').length;
  if (posts + comments < moved.length) return count(moved.length, 'entry', 'entries');
  if (comments === 0) return count(posts, 'post', 'posts');
  if (posts === 0) return count(comments, 'comment', 'comments');
  return `${count(posts, 'post', 'posts')} and ${count(comments, 'comment', 'comments')}`;
}

/**
 * The plain words for a repaired fork of one's own wall (docs/protocol.md §8 Forks): that it had two
 * versions, why that happens, that nothing was lost — which copy the wall follows now (the longer one,
 * §8 step 3: not the newer) — and that versions one did not write mean the key may be exposed.
 */
export function forkRepairSentence(friend: string, repair: ForkRepair): string {
  const lead = 'Your wall had two versions (this browser was restored from an older copy, or used your account with another one).';
  const kept =
    repair.resealed === 0
      ? repair.kept === 'friend'
        ? ` Peerwall kept @${friend}'s longer copy; everything written here was in it already.`
        : ` Peerwall kept yours; everything in @${friend}'s copy was in it already.`
      : repair.kept === 'friend'
        ? ` Peerwall kept both: ${whatMoved(repair)} written here now ${repair.resealed === 1 ? 'follows' : 'follow'} @${friend}'s longer copy.`
        : ` Peerwall kept both: ${whatMoved(repair)} from @${friend}'s shorter copy now ${repair.resealed === 1 ? 'follows' : 'follow'} yours.`;
  const lost = repair.leftOut > 0 ? ` ${count(repair.leftOut, 'entry', 'entries')} could not be kept: ${repair.leftOut === 1 ? 'it answered' : 'they answered'} something deleted meanwhile, or changed your key.` : '';
  // Both versions were sealed by this key (§8 Forks): one nobody here wrote was written with a copy of it.
  const exposed = ' If you did not write these, your key may be exposed.';
  return lead + kept + lost + exposed;
}

/** The plain words for a fork Peerwall could not join (e.g. written under two different keys). */
export function forkUnrepairedSentence(friend: string, reason: string): string {
  return `Your wall has two versions that Peerwall could not join: ${reason}. Your copy and @${friend}'s stay as they are.`;
}
