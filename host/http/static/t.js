/*!
 * persona-graph browser tracker (t.js). Plain ES2017, no dependencies, no build step.
 *
 * Embed:
 *   <script src="https://HOST/t.js" data-tenant="shop-a" data-key="WRITE_KEY" async></script>
 *   Optional data-endpoint="https://api.example" (default: the origin t.js was loaded from).
 *
 * API (window.personaGraph; calls made before the device id is known are queued):
 *   device()                                        -> Promise<string>, the device UUID
 *   identify({ email, phone, customer, subscriber }) -> sends an `identify` event; later events
 *                                                     on this page carry these identifiers too
 *   track(type, traits)                             -> sends an event of that type
 *   A stub loaded earlier (window.personaGraph = { q: [[method, ...args], ...] }, or a plain
 *   array of such calls) is replayed. Including the script twice is harmless.
 *
 * Storage: the device UUID lives in the first-party cookie `pg_device` (path=/, 2 years,
 * SameSite=Lax, Secure on https) and in localStorage `pg_device`; either restores the other.
 * With both gone the fingerprint below is POSTed to /v1/tenants/{tenant}/devices, and the server
 * composes the same UUID again for the same browser. Where storage throws (private mode) the id
 * is kept in memory for the page.
 *
 * Events: a `page` event on load, `link_click` with `token` when the URL has `pg_t` (then removed
 * from the address bar). Batched to /v1/tenants/{tenant}/events within 1 s, flushed with
 * sendBeacon (key in the query, text/plain body: no preflight) when the page is hidden.
 */
(function () {
  'use strict';

  const STORAGE_NAME = 'pg_device'; // cookie name and localStorage key
  const TOKEN_PARAM = 'pg_t';
  const COOKIE_MAX_AGE_S = 2 * 365 * 24 * 60 * 60;
  const FLUSH_DELAY_MS = 1000;
  const MAX_BATCH = 50; // keeps one beacon/keepalive body far below the 64 KB browsers allow
  const RETRY_DELAYS_MS = [1000, 3000];
  const IDENTIFY_FIELDS = ['email', 'phone', 'customer', 'subscriber'];
  const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

  const w = window;
  const doc = document;
  const existing = w.personaGraph;
  if (existing && existing.version) return; // already loaded on this page

  function warn(message, detail) {
    try {
      console.warn('persona-graph: ' + message, detail === undefined ? '' : detail);
    } catch (e) { /* no console */ }
  }

  // Every entry point the page can reach goes through this: the tracker never throws into the page.
  function guarded(fn, onError) {
    return function () {
      try {
        return fn.apply(null, arguments);
      } catch (e) {
        warn('internal error', e);
        return onError ? onError(e) : undefined;
      }
    };
  }

  function readConfig() {
    const script = doc.currentScript || doc.querySelector('script[data-tenant][data-key]');
    const tenant = script && script.getAttribute('data-tenant');
    const key = script && script.getAttribute('data-key');
    if (!tenant || !key) throw new Error('the t.js <script> tag needs data-tenant and data-key');
    const base = script.getAttribute('data-endpoint') || (script.src ? new URL(script.src).origin : location.origin);
    return { tenant, key, endpoint: base.replace(/\/+$/, '') };
  }

  function apiUrl(config, resource, keyInQuery) {
    return `${config.endpoint}/v1/tenants/${encodeURIComponent(config.tenant)}/${resource}` +
      (keyInQuery ? '?key=' + encodeURIComponent(config.key) : '');
  }

  // ---- device id storage ------------------------------------------------------------------

  function validId(value) {
    return typeof value === 'string' && UUID_RE.test(value) ? value.toLowerCase() : null;
  }

  function readCookie() {
    try {
      const match = doc.cookie.match(new RegExp('(?:^|;\\s*)' + STORAGE_NAME + '=([^;]*)'));
      return match ? match[1] : null;
    } catch (e) { return null; }
  }

  function readLocal() {
    try { return w.localStorage.getItem(STORAGE_NAME); } catch (e) { return null; }
  }

  function storeId(id) {
    try {
      doc.cookie = `${STORAGE_NAME}=${id}; path=/; max-age=${COOKIE_MAX_AGE_S}; SameSite=Lax` +
        (location.protocol === 'https:' ? '; Secure' : '');
    } catch (e) { /* cookies blocked */ }
    try { w.localStorage.setItem(STORAGE_NAME, id); } catch (e) { /* storage blocked */ }
  }

  // ---- fingerprint (only used when neither store holds an id) ------------------------------

  function fingerprint() {
    const nav = navigator;
    const screenInfo = w.screen || {};
    const uaData = nav.userAgentData;
    const brands = uaData && uaData.brands
      ? uaData.brands.map((b) => b.brand + ' ' + b.version).sort().join(', ')
      : '';
    let timezone = '';
    try { timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { /* no Intl */ }
    return {
      browser: nav.userAgent || '',
      cpu: `${nav.hardwareConcurrency || 0} ${nav.platform || ''}`.trim(),
      manufacturer: brands || nav.vendor || '',
      model: (uaData && uaData.platform) || nav.platform || '',
      extra: {
        screen: `${screenInfo.width}x${screenInfo.height}x${screenInfo.colorDepth}`,
        pixelRatio: w.devicePixelRatio || 1,
        timezone,
        languages: (nav.languages && nav.languages.length ? nav.languages : [nav.language || '']).join(','),
        touchPoints: nav.maxTouchPoints || 0,
        deviceMemory: nav.deviceMemory || 0,
      },
    };
  }

  // ---- network ---------------------------------------------------------------------------

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // POST JSON; retries network errors, 429 and 5xx with backoff, gives up at once on other 4xx.
  async function postJson(config, resource, payload) {
    const body = JSON.stringify(payload);
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const response = await fetch(apiUrl(config, resource), {
          method: 'POST',
          keepalive: true,
          headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + config.key },
          body,
        });
        if (response.ok) return response;
        status = response.status;
      } catch (e) { /* network error: retriable */ }
      const retriable = status === 0 || status === 429 || status >= 500;
      if (!retriable || attempt >= RETRY_DELAYS_MS.length) {
        throw new Error(`POST ${resource} failed (${status || 'network error'})`);
      }
      await sleep(RETRY_DELAYS_MS[attempt]);
    }
  }

  function uuid() {
    const c = w.crypto;
    if (c.randomUUID) return c.randomUUID();
    const bytes = c.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = Array.from(bytes, (b) => (b + 0x100).toString(16).slice(1)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  // ---- tracker ---------------------------------------------------------------------------

  function start(config) {
    const queue = [];
    const identity = {};
    let deviceId = null;
    let timer = 0;

    function flush(pageHidden) {
      clearTimeout(timer);
      timer = 0;
      if (!deviceId) return; // the device-ready handler flushes once the id is known
      while (queue.length) {
        const batch = queue.splice(0, MAX_BATCH);
        batch.forEach((event) => {
          event.identifiers = Object.assign({ device: deviceId }, event.identifiers);
        });
        if (pageHidden && sendBeacon(batch)) continue;
        postJson(config, 'events', { events: batch }).catch((e) => warn(batch.length + ' events dropped', e));
      }
    }

    function sendBeacon(batch) {
      try {
        const body = new Blob([JSON.stringify({ events: batch })], { type: 'text/plain' });
        return navigator.sendBeacon(apiUrl(config, 'events', true), body);
      } catch (e) { return false; }
    }

    function enqueue(type, traits, token) {
      const event = {
        id: uuid(),
        type,
        timestamp: new Date().toISOString(),
        identifiers: Object.assign({}, identity),
        traits: traits || {},
      };
      if (token) event.token = token;
      queue.push(event);
      if (!timer) timer = setTimeout(() => flush(false), FLUSH_DELAY_MS);
    }

    async function resolveDevice() {
      const cookieId = validId(readCookie());
      const known = cookieId || validId(readLocal());
      if (known) return known;
      const response = await postJson(config, 'devices', fingerprint());
      const answer = await response.json();
      const composed = validId(answer && answer.device);
      if (!composed) throw new Error('the devices endpoint answered without a device UUID');
      return composed;
    }

    const deviceReady = resolveDevice().then((id) => {
      deviceId = id;
      storeId(id); // restores whichever store was missing and renews the cookie's lifetime
      if (queue.length && !timer) flush(false);
      return id;
    });
    deviceReady.catch((e) => warn('no device id, events are not sent', e));

    function track(type, traits) {
      if (typeof type !== 'string' || !type) return warn('track(type, traits) needs a type string');
      if (traits != null && (typeof traits !== 'object' || Array.isArray(traits))) {
        return warn('track(type, traits): traits must be an object');
      }
      enqueue(type, traits);
    }

    function identify(fields) {
      const added = {};
      IDENTIFY_FIELDS.forEach((name) => {
        const value = fields && fields[name];
        if ((typeof value === 'string' && value.trim()) || typeof value === 'number') added[name] = String(value).trim();
      });
      if (!Object.keys(added).length) return warn('identify() needs one of ' + IDENTIFY_FIELDS.join(', '));
      Object.assign(identity, added);
      enqueue('identify');
    }

    function reportLinkClick() {
      const token = new URLSearchParams(location.search).get(TOKEN_PARAM);
      if (token === null) return;
      // Rebuild the query by hand so the other parameters keep their exact encoding.
      const kept = location.search.slice(1).split('&').filter((part) => part && part.split('=')[0] !== TOKEN_PARAM);
      const url = location.pathname + (kept.length ? '?' + kept.join('&') : '') + location.hash;
      try { history.replaceState(history.state, '', url); } catch (e) { /* sandboxed history */ }
      if (token) enqueue('link_click', { url: location.href }, token);
    }

    w.addEventListener('pagehide', guarded(() => flush(true)));
    doc.addEventListener('visibilitychange', guarded(() => {
      if (doc.visibilityState === 'hidden') flush(true);
    }));

    guarded(reportLinkClick)();
    enqueue('page', { url: location.href, referrer: doc.referrer, title: doc.title });

    return {
      device: guarded(() => deviceReady, (e) => Promise.reject(e)),
      identify: guarded(identify),
      track: guarded(track),
    };
  }

  function replay(api, calls) {
    Array.prototype.slice.call(calls).forEach(guarded((call) => {
      const args = Array.prototype.slice.call(call);
      const name = args.shift();
      if (name === 'device') {
        if (typeof args[0] === 'function') api.device().then(args[0], () => {});
      } else if (name === 'identify' || name === 'track') {
        api[name].apply(null, args);
      } else {
        warn('unknown queued call', name);
      }
    }));
  }

  try {
    const pending = Array.isArray(existing) ? existing : existing && existing.q;
    let api;
    try {
      api = start(readConfig());
    } catch (e) {
      warn('tracker disabled', e);
      api = { device: () => Promise.reject(e), identify() {}, track() {} };
    }
    api.version = 1;
    w.personaGraph = api;
    if (pending && pending.length) replay(api, pending);
  } catch (e) {
    warn('could not start', e);
  }
})();
