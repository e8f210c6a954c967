import { readFileSync } from 'node:fs';
import { offscreenDebuggerUrl } from '../../tests/e2e/support/social';
import type { TestUser } from '../../tests/e2e/support/test-user';
import { browserDebuggerUrl, evaluate, withDevTools, type DevToolsCall } from './devtools-session';

const MiB = 1024 * 1024;

/** What the peer host's process holds, read once its connections have settled. */
export interface HostFootprint {
  /** The renderer process of the extension (the offscreen document and the service worker; no popup is open). */
  pid: number;
  rssMiB: number;
  /** Proportional set size: shared pages split among the processes sharing them. */
  pssMiB: number | null;
  /** Pages of this process alone (Private_Clean + Private_Dirty + Swap): about what Chrome's task manager calls its footprint. */
  privateMiB: number | null;
  /** The offscreen document's JS heap (its V8 isolate), after a garbage collection. */
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** RTCPeerConnection objects on that heap, how many of them are connected, and all of them by `connectionState`. */
  peerConnections: { total: number; connected: number; byState: Record<string, number> };
  /** RTCDataChannel objects on that heap that are open. */
  openChannels: number;
}

function kib(status: string, field: string): number | null {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : null;
}

function flagsOf(pid: number): string[] {
  try {
    // Zygote-forked renderers rewrite their title: one string, words separated by spaces, not NULs.
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/).filter((arg) => arg.startsWith('--') && arg.length < 80);
  } catch {
    return [];
  }
}

/** The renderer process hosting `user`'s extension pages: Chromium starts it with `--extension-process`. */
async function extensionRendererPid(user: TestUser): Promise<number> {
  const info = await withDevTools(await browserDebuggerUrl(user), (call) => call('SystemInfo.getProcessInfo'));
  const renderers = ((info.processInfo ?? []) as Array<{ type?: string; id?: number }>).filter((p) => p.type === 'renderer' && typeof p.id === 'number');
  const extension = renderers.filter((p) => flagsOf(p.id!).includes('--extension-process'));
  if (extension.length !== 1) {
    const flags = renderers.map((p) => `${p.id}: ${flagsOf(p.id!).join(' ')}`);
    throw new Error(`${user.name}'s Chromium has ${extension.length} extension renderer processes, not one; its renderers: ${flags.join('; ')}`);
  }
  return extension[0]!.id!;
}

/** Counts the peer connections and open data channels on the offscreen document's heap (DevTools' queryObjects). */
async function countObjects(call: DevToolsCall, constructor: string, predicate: string): Promise<[number, number]> {
  const prototype = (await call('Runtime.evaluate', { expression: `${constructor}.prototype` })) as { result?: { objectId?: string } };
  const objects = (await call('Runtime.queryObjects', { prototypeObjectId: prototype.result?.objectId })) as { objects?: { objectId?: string } };
  const counted = (await call('Runtime.callFunctionOn', {
    objectId: objects.objects?.objectId,
    functionDeclaration: `function () { return [this.length, this.filter((o) => ${predicate}).length]; }`,
    returnByValue: true,
  })) as { result?: { value?: [number, number] } };
  return counted.result?.value ?? [0, 0];
}

/** The objects of `constructor` on the heap, counted by `key` (JavaScript over `o`). */
async function tally(call: DevToolsCall, constructor: string, key: string): Promise<Record<string, number>> {
  const prototype = (await call('Runtime.evaluate', { expression: `${constructor}.prototype` })) as { result?: { objectId?: string } };
  const objects = (await call('Runtime.queryObjects', { prototypeObjectId: prototype.result?.objectId })) as { objects?: { objectId?: string } };
  const counted = (await call('Runtime.callFunctionOn', {
    objectId: objects.objects?.objectId,
    functionDeclaration: `function () { const n = {}; for (const o of this) n[${key}] = (n[${key}] ?? 0) + 1; return n; }`,
    returnByValue: true,
  })) as { result?: { value?: Record<string, number> } };
  return counted.result?.value ?? {};
}

/**
 * Measures `user`'s peer host: RSS and PSS of its renderer process from /proc, and the offscreen document's
 * JS heap over DevTools after a garbage collection (so the figure is what is held, not what waits to be freed).
 */
export async function measureHost(user: TestUser): Promise<HostFootprint> {
  const pid = await extensionRendererPid(user);
  const heap = await withDevTools(await offscreenDebuggerUrl(user), async (call) => {
    await call('HeapProfiler.collectGarbage');
    await evaluate(call, 'new Promise((resolve) => setTimeout(resolve, 500))');
    const usage = (await call('Runtime.getHeapUsage')) as { usedSize?: number; totalSize?: number };
    const [total, connected] = await countObjects(call, 'RTCPeerConnection', "o.connectionState === 'connected'");
    const byState = await tally(call, 'RTCPeerConnection', 'o.connectionState');
    const [, openChannels] = await countObjects(call, 'RTCDataChannel', "o.readyState === 'open'");
    return { usage, peerConnections: { total, connected, byState }, openChannels };
  });
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  let rollup = '';
  try {
    rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  } catch {
    rollup = '';
  }
  const pss = kib(rollup, 'Pss');
  const privatePages = ['Private_Clean', 'Private_Dirty', 'Swap'].map((field) => kib(rollup, field));
  return {
    pid,
    rssMiB: (kib(status, 'VmRSS') ?? NaN) / MiB,
    pssMiB: pss === null ? null : pss / MiB,
    privateMiB: privatePages.includes(null) ? null : privatePages.reduce((a: number, b) => a + b!, 0) / MiB,
    heapUsedMiB: (heap.usage.usedSize ?? NaN) / MiB,
    heapTotalMiB: (heap.usage.totalSize ?? NaN) / MiB,
    peerConnections: heap.peerConnections,
    openChannels: heap.openChannels,
  };
}
