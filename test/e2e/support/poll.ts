// Waiting for something that happens asynchronously (a browser flush, a client's retry).

const POLL_INTERVAL_MS = 50;

/**
 * Resolves with the first truthy value of `probe`; after `timeoutMs` rejects naming `what` and,
 * when given, what `lastSeen` says was observed last.
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs: number, lastSeen?: () => string): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastSeen ? `; last seen: ${lastSeen()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
