// Chart.js charts of the dashboard, drawn without animation (they refresh every few seconds) and
// sized by their container, so they follow the layout from a laptop down to a phone.

const SERIES_COLORS = {
  merges: '#4f46e5', refused: '#dc2626', splits: '#d97706', erases: '#475569',
  personas: '#0891b2', identifiers: '#2563eb', links: '#16a34a',
};

const BASE_OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  animation: false,
  interaction: { mode: 'index', intersect: false },
  plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } },
};

function countAxis(stacked = false) {
  return { beginAtZero: true, stacked, ticks: { precision: 0 } };
}

export function barChart(canvas, { stacked = false, legend = true } = {}) {
  return new window.Chart(canvas, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      ...BASE_OPTIONS,
      plugins: { ...BASE_OPTIONS.plugins, legend: { ...BASE_OPTIONS.plugins.legend, display: legend } },
      scales: { x: { stacked }, y: countAxis(stacked) },
    },
  });
}

export function lineChart(canvas, { integer = true } = {}) {
  return new window.Chart(canvas, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      ...BASE_OPTIONS,
      elements: { point: { radius: 2 }, line: { tension: 0.2 } },
      scales: { x: { ticks: { maxTicksLimit: 6, maxRotation: 0 } }, y: integer ? countAxis() : { beginAtZero: true } },
    },
  });
}

/** Replaces a chart's labels and series (`[{key, label, data}]`), keeping each series' colour. */
export function setSeries(chart, labels, series) {
  chart.data.labels = labels;
  chart.data.datasets = series.map(({ key, label, data }) => ({
    label, data, backgroundColor: SERIES_COLORS[key], borderColor: SERIES_COLORS[key], borderWidth: chart.config.type === 'line' ? 2 : 0,
  }));
  chart.update('none');
}
