// Shop pages that load the browser builds of analytics.js (@segment/analytics-next) and posthog-js
// from the shop's own server, configured inline so nothing is fetched from a vendor's CDN.
import { fileURLToPath } from 'node:url';

/** URL prefixes the page server maps to the packages' browser builds. */
export const VENDOR_DIRECTORIES: Record<string, string> = {
  '/vendor/ajs/': fileURLToPath(new URL('../../../node_modules/@segment/analytics-next/dist/umd/', import.meta.url)),
  // analytics.js loads its lazy chunks from `${cdnURL}/analytics-next/bundles/`
  '/analytics-next/bundles/': fileURLToPath(new URL('../../../node_modules/@segment/analytics-next/dist/umd/', import.meta.url)),
  '/vendor/posthog/': fileURLToPath(new URL('../../../node_modules/posthog-js/dist/', import.meta.url)),
};

/**
 * analytics.js with the source settings the CDN would have served: only the Segment.io
 * destination, pointed at `apiUrl` (`http://host:port`), and no metrics beacon. `window.ajs`
 * resolves to the loaded Analytics instance.
 */
export function analyticsNextPage(apiUrl: string, writeKey: string): string {
  const api = new URL(apiUrl);
  const settings = {
    integrations: { 'Segment.io': { apiKey: writeKey, apiHost: `${api.host}/v1`, protocol: api.protocol.replace(':', '') } },
    metrics: { sampleRate: 0 },
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>ajs shop</title>
<script src="/vendor/ajs/index.js"></script>
<script>
  window.ajs = AnalyticsNext.AnalyticsBrowser.load(
    { writeKey: ${JSON.stringify(writeKey)}, cdnURL: location.origin, cdnSettings: ${JSON.stringify(settings)} },
  ).then(function (loaded) { return loaded[0]; });
</script></head><body><h1>analytics.js shop</h1></body></html>`;
}

/**
 * posthog-js (the snippet build) sending to `apiUrl`. HeadlessChrome is a bot to posthog-js unless
 * the user-agent filter is off; flags, surveys and recordings (all fetched from the vendor) are off.
 */
export function posthogPage(apiUrl: string, apiKey: string): string {
  const config = {
    api_host: apiUrl, opt_out_useragent_filter: true, autocapture: false, capture_pageview: false, capture_pageleave: false,
    advanced_disable_flags: true, disable_session_recording: true, disable_surveys: true, disable_external_dependency_loading: true,
    request_batching: false,
  };
  return `<!doctype html><html><head><meta charset="utf-8"><title>posthog shop</title>
<script src="/vendor/posthog/array.js"></script>
<script>posthog.init(${JSON.stringify(apiKey)}, ${JSON.stringify(config)});</script>
</head><body><h1>posthog-js shop</h1></body></html>`;
}
