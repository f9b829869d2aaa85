/**
 * The HTML report: charts rendered to SVG in Node, inlined in a self-contained page that headless
 * Chromium opens without any network and finds every chart drawn (non-empty marks).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportCharts } from '../src/report/charts.js';
import { markdownTable, renderReport, renderSvg } from '../src/report/html.js';
import { type Comparison, compare } from '../src/sim/compare.js';
import { PRESETS } from '../src/sim/presets.js';
import { SWISS_CITIES } from '../src/sim/scenario.js';

const CHROMIUM = '/usr/bin/chromium';
const SMALL = { name: 'small', days: 2, fleet: { size: 300 }, demand: { jobsPerDay: 300 } };
const CHART_IDS = [
  'time-to-accept',
  'by-hour',
  'by-weekday',
  'door-minutes',
  'per-technician',
  'fairness-lorenz',
  'fairness-gini',
  'frontier',
  'awards-map',
  'unfilled-map',
];
const OKABE_ITO = ['#0072B2', '#E69F00'];

let comparison: Comparison;
let html: string;

beforeAll(async () => {
  comparison = compare(
    SMALL,
    [
      { name: 'today', policy: PRESETS.today!.policy },
      { name: 'fairness-aware', policy: PRESETS['fairness-aware']!.policy },
    ],
    { seeds: [1, 2, 3], detail: true },
  );
  html = await renderReport(comparison, { cities: SWISS_CITIES, descriptions: { today: 'nearest first' } });
});

describe('report', () => {
  it('renders a Vega-Lite spec to SVG without a DOM', async () => {
    const svg = await renderSvg({
      data: {
        values: [
          { a: 1, b: 2 },
          { a: 2, b: 5 },
        ],
      },
      mark: 'bar',
      encoding: { x: { field: 'a', type: 'ordinal' }, y: { field: 'b', type: 'quantitative' } },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/<path[^>]+d="M/);
  });

  it('is self-contained: every chart inline, no external resources', () => {
    for (const id of CHART_IDS) expect(html).toContain(`id="${id}"`);
    expect(html.match(/<svg/g)!.length).toBe(CHART_IDS.length);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html).toContain('nearest first');
    expect(html).toContain('Paired differences against today');
    expect(html).toMatch(
      /<table class="paired">[\s\S]*Accepted within 60 s<\/th><td>[−+±]\d+\.\d pt ± \d+\.\d<\/td>/,
    );
  });

  it('shows the headline metrics with both policies and the number of seeds', () => {
    const table = markdownTable(comparison);
    expect(table.split('\n')[0]).toBe(
      '| metric (mean over 3 seeds ± 95 % half-width) | today | fairness-aware |',
    );
    expect(table).toMatch(/\| Accepted within 60 s \| \d+\.\d % ± \d+\.\d/);
  });

  it('names the seeds in every table', () => {
    const tables = html.match(/<table[\s\S]*?<\/table>/g)!;
    expect(tables.length).toBe(3); // metrics, paired differences, per technician
    for (const t of tables) expect(t).toMatch(/<caption>[^<]*3 seeds/);
    expect(html).toMatch(
      /<table class="technicians">[\s\S]*<th scope="row">today<\/th><th scope="row">friends<\/th>(<td>[\d.]+( %)?<\/td>){8}<td>3<\/td>/,
    );
  });

  it('draws every policy in the Okabe–Ito palette, with bands over the seeds', () => {
    for (const colour of OKABE_ITO) expect(html.toLowerCase()).toContain(colour.toLowerCase());
    expect(html).not.toMatch(/#1f77b4|#ff7f0e|#d62728/i); // Vega's default category10 blue, orange, red
    expect(html).toContain('the shaded band is the range from the lowest to the highest seed');
  });

  it('draws the real Swiss border under the maps, inline', () => {
    const maps = reportCharts(comparison, SWISS_CITIES).filter((c) => c.id.endsWith('-map'));
    expect(maps.map((m) => m.id)).toEqual(['awards-map', 'unfilled-map']);
    for (const m of maps) expect(JSON.stringify(m.spec)).toContain('"type":"geoshape"');
    // Another geography gets no Swiss border.
    const elsewhere = reportCharts(comparison, [{ name: 'x', lat: -16.5, lon: 179.9, population: 20_000 }]);
    expect(JSON.stringify(elsewhere.find((c) => c.id === 'unfilled-map')!.spec)).not.toContain('geoshape');
  });

  it('puts the offers per Friend on a log scale, so one busy Friend does not squash the rest', () => {
    const chart = reportCharts(comparison, SWISS_CITIES).find((c) => c.id === 'per-technician')!;
    expect(JSON.stringify(chart.spec)).toContain('"type":"symlog"');
    expect(chart.caption).toMatch(/logarithmic/);
  });

  it('shows no interval and no band below three seeds', async () => {
    const two = {
      ...comparison,
      seeds: [1, 2],
      metrics: comparison.metrics.map((m) => ({
        ...m,
        byPolicy: Object.fromEntries(Object.entries(m.byPolicy).map(([p, e]) => [p, { ...e, n: 2 }])),
      })),
    };
    const page = await renderReport(two, { cities: SWISS_CITIES });
    expect(page).not.toMatch(/<td>[^<]*±/);
    expect(page).not.toContain('Paired differences');
    expect(page).toContain('no band: ranges are drawn from 3 seeds up');
    expect(markdownTable(two)).not.toContain('±');
  });

  it.skipIf(!existsSync(CHROMIUM))('opens in headless Chromium with every chart drawn', async () => {
    const { chromium } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'crowd-report-'));
    const file = join(dir, 'report.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      const charts = await page.$$eval('figure.chart', (figures) =>
        figures.map((f) => {
          const svg = f.querySelector('svg')!;
          const box = svg.getBBox();
          const marks = [...svg.querySelectorAll('path, circle, line, rect')].filter((m) => {
            const b = (m as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 || b.height > 0;
          });
          return { id: f.id, width: box.width, height: box.height, marks: marks.length };
        }),
      );
      expect(charts.map((c) => c.id)).toEqual(CHART_IDS);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(200);
        expect(c.height, c.id).toBeGreaterThan(100);
        expect(c.marks, c.id).toBeGreaterThan(10);
      }
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

if (!existsSync(CHROMIUM)) {
  console.warn(
    `report.test.ts: ${CHROMIUM} is missing, so the headless-Chromium check is skipped (apt-get install chromium).`,
  );
}
