// Live views: the tenant's changes feed read incrementally, and a refresh loop that pauses while
// the tab is hidden and stops when the view goes away.

const MAX_PAGES_PER_POLL = 20;
/** Changes kept in memory: the oldest go first. */
const MAX_KEPT_CHANGES = 5000;
export const REFRESH_MS = 5000;

/** The tenant's changes, oldest first; each poll reads what came after the last cursor. */
export function changesFeed(api) {
  let cursor = '';
  const changes = [];
  return {
    changes,
    /** Reads new changes (up to MAX_PAGES_PER_POLL pages; the rest on the next poll); returns how many arrived. */
    async poll() {
      let added = 0;
      for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
        const answer = await api.changes(cursor);
        cursor = answer.cursor;
        changes.push(...answer.changes);
        added += answer.changes.length;
        if (answer.changes.length === 0) break;
      }
      if (changes.length > MAX_KEPT_CHANGES) changes.splice(0, changes.length - MAX_KEPT_CHANGES);
      return added;
    },
  };
}

/**
 * Runs `refresh` now and then every REFRESH_MS after the previous run ended, while the view is
 * active. A failed run is reported once (not every few seconds) and retried on the next tick.
 */
export function refreshLoop(context, refresh, doing) {
  let timer = null;
  let failing = false;
  const tick = async () => {
    if (!context.active()) return;
    if (!document.hidden) {
      try {
        await refresh();
        failing = false;
      } catch (error) {
        if (!failing) context.fail(error, doing);
        failing = true;
      }
    }
    if (context.active()) timer = setTimeout(tick, REFRESH_MS);
  };
  context.onDispose(() => clearTimeout(timer));
  return tick();
}
