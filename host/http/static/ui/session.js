// Who is signed in: the tenant and its secret key, kept for this browser tab only
// (sessionStorage), so closing the tab forgets the key.
const STORAGE_KEY = 'persona-graph.explorer';

/** @returns {{tenant: string, key: string} | null} */
export function loadSession() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    return stored && typeof stored.tenant === 'string' && typeof stored.key === 'string' ? stored : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ tenant: session.tenant, key: session.key }));
}

export function clearSession() {
  sessionStorage.removeItem(STORAGE_KEY);
}
