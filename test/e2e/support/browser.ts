// Headless Chromium (the Debian package) for tests that run real pages.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const LOOPBACK = '127.0.0.1';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Aborts every request a context makes to anything but 127.0.0.1 (a library reaching for its CDN
 * or its vendor's API must not leave the machine) and returns the list of what was refused.
 */
export async function confineToLoopback(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.route((url) => url.hostname !== LOOPBACK, (route) => {
    refused.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  return refused;
}

/** Page errors and console warnings, for assertion messages when a page misbehaves. */
export function collectConsole(page: Page): string[] {
  const lines: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') lines.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => lines.push(`pageerror: ${error.message}`));
  return lines;
}

/** The `pg_device` cookie and localStorage entry of a page's origin. */
export async function storedDevice(context: BrowserContext, page: Page): Promise<{ cookie: string | null; local: string | null }> {
  const cookies = await context.cookies(page.url());
  const cookie = cookies.find((c) => c.name === 'pg_device')?.value ?? null;
  const local = await page.evaluate(() => window.localStorage.getItem('pg_device'));
  return { cookie, local };
}
