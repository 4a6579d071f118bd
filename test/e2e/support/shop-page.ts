// A shop's checkout page that embeds the tracker the documented way, and the calls tests make on it.
import type { Page } from 'playwright-core';

export interface Embed {
  /** Where the API (and so /t.js) is served. */
  apiUrl: string;
  tenant: string;
  writeKey: string;
  /** `data-endpoint`: where events go when not to the origin of t.js. */
  endpoint?: string;
}

/** The page: shows the device id, and its checkout form calls identify() with what was typed. */
export function shopPage({ apiUrl, tenant, writeKey, endpoint }: Embed): string {
  const endpointAttribute = endpoint === undefined ? '' : ` data-endpoint="${endpoint}"`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout · Rosa Shop</title>
<style>
  body { font: 15px system-ui, sans-serif; margin: 24px; color: #222; }
  form { display: grid; gap: 8px; max-width: 320px; }
  input, button { font: inherit; padding: 6px; }
  code { background: #eef; padding: 2px 4px; }
</style>
<script src="${apiUrl}/t.js" data-tenant="${tenant}" data-key="${writeKey}"${endpointAttribute} async></script>
</head><body>
<h1>Rosa Shop: checkout</h1>
<p>Rose oil, 10 ml: 59.90 BGN</p>
<form id="checkout">
  <input id="email" type="email" placeholder="email">
  <input id="phone" type="tel" placeholder="phone">
  <button>Place order</button>
</form>
<p>Device: <code id="device">(waiting for t.js)</code></p>
<p id="status"></p>
<script>
  document.getElementById('checkout').addEventListener('submit', function (event) {
    event.preventDefault();
    personaGraph.identify({ email: document.getElementById('email').value, phone: document.getElementById('phone').value });
    personaGraph.track('order_completed', { total: 59.9, currency: 'BGN' });
    document.getElementById('status').textContent = 'Order placed';
  });
  (function showDevice() {
    if (!window.personaGraph || !personaGraph.version) return setTimeout(showDevice, 20);
    personaGraph.device().then(function (id) { document.getElementById('device').textContent = id; });
  })();
</script>
</body></html>`;
}

/** Waits for t.js to start on `page` and returns the device UUID it settled on. */
export async function trackerDevice(page: Page): Promise<string> {
  await page.waitForFunction(() => (window as { personaGraph?: { version?: number } }).personaGraph?.version === 1);
  return page.evaluate(() => (window as unknown as { personaGraph: { device(): Promise<string> } }).personaGraph.device());
}
