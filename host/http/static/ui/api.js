// The HTTP API, as the explorer calls it: one tenant, its secret key as a Bearer token, and
// errors turned into ApiError with the contract's code and message.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status (0: the server could not be reached)
   * @param {string} code the contract's snake_case error code
   */
  constructor(status, code, message, details) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const MAX_QUOTED_BODY = 200;

export function createApi({ tenant, key }) {
  const base = `/v1/tenants/${encodeURIComponent(tenant)}`;

  async function request(method, path, body) {
    const headers = { Authorization: `Bearer ${key}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let response;
    try {
      response = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, 'network_error', `Cannot reach the server (${error.message})`);
    }
    const text = await response.text();
    let json = null;
    try {
      json = text === '' ? null : JSON.parse(text);
    } catch {
      // not JSON: reported below with the text itself
    }
    if (!response.ok) {
      const error = json?.error;
      throw new ApiError(response.status, error?.code ?? `http_${response.status}`,
        error?.message ?? (text.slice(0, MAX_QUOTED_BODY) || response.statusText), error?.details);
    }
    return json;
  }

  /** A persona-scoped read that is null when the persona does not exist (404). */
  async function orNull(promise) {
    try {
      return await promise;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    }
  }

  const personaPath = (id) => `/personas/${encodeURIComponent(id)}`;
  return {
    tenant,
    config: () => request('GET', '/config'),
    /** Persona ids of identifiers, in input order (null: unknown or not a valid value). */
    resolveMany: async (identifiers) => (await request('POST', '/resolve', { identifiers })).personas,
    persona: (id) => orNull(request('GET', personaPath(id))),
    graph: (id) => orNull(request('GET', `${personaPath(id)}/graph`)),
    /** The personas the split left, or null when the persona is gone. */
    split: async (id, cut) => (await orNull(request('POST', `${personaPath(id)}/split`, cut)))?.personas ?? null,
    erasePersona: (id) => orNull(request('DELETE', personaPath(id))),
    changes: (since) => request('GET', `/changes${since ? `?since=${encodeURIComponent(since)}` : ''}`),
    quality: () => request('GET', '/quality'),
  };
}
