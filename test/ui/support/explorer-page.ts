// Driving the explorer in headless Chromium (Debian's, through playwright-core): signing in,
// reading the cytoscape picture and the Chart.js charts, clicking identifiers in the picture,
// and saving screenshots for the README.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const SCREENSHOTS = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Page errors, console errors and warnings (a CSP violation shows up here). */
export function collectProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage });
}

export async function signIn(page: Page, url: string, tenant: string, key: string): Promise<void> {
  await page.goto(`${url}/ui`);
  await page.fill('input[name=tenant]', tenant);
  await page.fill('input[name=key]', key);
  await page.click('button[type=submit]');
  await page.locator('#nav').waitFor({ state: 'visible' });
}

export interface PictureNode { id: string; type: string; value: string; classes: string[]; selected: boolean }

/** The identifiers drawn in the persona picture (the box around other personas' ones left out). */
export function pictureNodes(page: Page): Promise<PictureNode[]> {
  return page.evaluate(() => {
    const cy = (window as any).explorer.picture;
    return cy.nodes().filter((n: any) => n.data('value') !== undefined).map((n: any) => ({
      id: n.id(), type: n.data('type'), value: n.data('value'), classes: n.classes(), selected: n.selected(),
    }));
  });
}

export async function waitForPicture(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).explorer?.picture?.nodes().length > 0);
}

/** Where an identifier (or the middle of the link between two) is drawn, in page coordinates. */
export function pointOf(page: Page, value: string, otherEnd?: string): Promise<{ x: number; y: number }> {
  return page.evaluate(([value, otherEnd]) => {
    const cy = (window as any).explorer.picture;
    const box = cy.container().getBoundingClientRect();
    const node = (v: string) => cy.nodes().filter((n: any) => n.data('value') === v)[0];
    const position = otherEnd === undefined ? node(value).renderedPosition()
      : node(value).edgesWith(node(otherEnd))[0].renderedMidpoint();
    return { x: box.left + position.x, y: box.top + position.y };
  }, [value, otherEnd] as const);
}

export async function clickIdentifier(page: Page, value: string): Promise<void> {
  const { x, y } = await pointOf(page, value);
  await page.mouse.click(x, y);
}

export interface ChartData { labels: string[]; datasets: { label: string; data: number[] }[] }

/** What a Chart.js chart on the page shows. */
export function chartData(page: Page, canvasId: string): Promise<ChartData> {
  return page.evaluate((id) => {
    const chart = (window as any).Chart.getChart(document.getElementById(id));
    return { labels: [...chart.data.labels], datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: [...d.data] })) };
  }, canvasId);
}

/** Whether the page is wider than the screen (something forces sideways scrolling). */
export function overflowsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
}
