/**
 * Dials waiting their turn: at most `maxDials` connections are being set up at once (500
 * friends, 150 online), the rest start as earlier ones finish.
 */
export function createDialQueue(maxDials: number, start: (handle: string) => boolean) {
  const waiting: string[] = [];
  let active = 0;

  function pump(): void {
    while (active < maxDials && waiting.length > 0) {
      if (start(waiting.shift()!)) active += 1;
    }
  }

  return {
    /** Queues `handle` once; `start` runs when a slot is free and says whether a dial began. */
    add(handle: string): void {
      if (waiting.includes(handle)) return;
      waiting.push(handle);
      pump();
    },
    /** A dial that began has finished (connected or failed): its slot is free. */
    release(): void {
      active -= 1;
      pump();
    },
    clear(): void {
      waiting.length = 0;
    },
  };
}
