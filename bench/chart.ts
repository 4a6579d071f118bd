// A small dependency-free SVG line chart for benchmark results.

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  points: { x: number; y: number }[];
}

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 80, right: 20, top: 40, bottom: 50 };
const TICKS = 5;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const label = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString());

export function lineChart({ title, xLabel, yLabel, points }: ChartSpec): string {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const xMax = Math.max(...xs, 1e-9);
  const yMax = Math.max(...ys, 1e-9) * 1.1;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number) => MARGIN.left + (x / xMax) * plotW;
  const py = (y: number) => MARGIN.top + plotH - (y / yMax) * plotH;
  const ticks = Array.from({ length: TICKS + 1 }, (_, i) => i / TICKS);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    ...ticks.map((t) => `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${py(t * yMax)}" y2="${py(t * yMax)}" stroke="#ddd"/>` +
      `<text x="${MARGIN.left - 6}" y="${py(t * yMax) + 4}" text-anchor="end">${label(t * yMax)}</text>`),
    ...ticks.map((t) => `<text x="${px(t * xMax)}" y="${HEIGHT - MARGIN.bottom + 18}" text-anchor="middle">${label(t * xMax)}</text>`),
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${HEIGHT - MARGIN.bottom}" y2="${HEIGHT - MARGIN.bottom}" stroke="#333"/>`,
    `<polyline fill="none" stroke="#2563eb" stroke-width="2" points="${points.map((p) => `${px(p.x)},${py(p.y)}`).join(' ')}"/>`,
    ...points.map((p) => `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3" fill="#2563eb"/>`),
    `<text x="${WIDTH / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<text transform="translate(18 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
