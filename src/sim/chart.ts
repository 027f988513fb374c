// Memory over time as a hand-written SVG: one panel per policy, a line per process (or cgroup, or pod),
// a marker at every kill, OOM, eviction and panic. No randomness, fixed number formatting: deterministic.
import type { SimEvent } from './events.js';
import type { PolicyRun } from './runner.js';
import type { Scenario } from './scenario.js';
import { formatDuration, formatSize } from './units.js';

const WIDTH = 900;
const PANEL_HEIGHT = 240;
const MARGIN = { left: 70, right: 170, top: 30, bottom: 34 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const MAX_SERIES = 8;

const n = (x: number) => (Math.round(x * 10) / 10).toString();

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The keys with the highest peaks, the same for every panel so colours match across policies. */
function topKeys(runs: readonly PolicyRun[]): string[] {
  const peak = new Map<string, number>();
  for (const r of runs)
    for (const pt of r.series) for (const [k, v] of pt.byKey) peak.set(k, Math.max(peak.get(k) ?? 0, v));
  return [...peak.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_SERIES)
    .map(([k]) => k);
}

function marker(e: SimEvent): { colour: string; label: string } | null {
  switch (e.type) {
    case 'kill':
      return {
        colour: e.by === 'kernel' ? '#d62728' : e.by === 'kubelet' ? '#9467bd' : '#ff7f0e',
        label: `kill ${e.name ?? ''}`,
      };
    case 'signal':
      return { colour: '#ff7f0e', label: `SIGTERM ${e.name ?? ''}` };
    case 'evict':
      return { colour: '#9467bd', label: `evict ${e.name ?? ''}` };
    case 'panic':
      return { colour: '#000000', label: 'PANIC' };
    default:
      return null;
  }
}

export function renderSvg(s: Scenario, runs: readonly PolicyRun[]): string {
  const keys = topKeys(runs);
  const ram = s.machine.ram;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = PANEL_HEIGHT - MARGIN.top - MARGIN.bottom;
  const height = PANEL_HEIGHT * runs.length + 20;
  const x = (t: number) => MARGIN.left + (t / s.run.durationMs) * plotW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
  ];
  runs.forEach((r, i) => {
    const top = i * PANEL_HEIGHT + MARGIN.top;
    const y = (bytes: number) => top + plotH - (Math.min(bytes, ram) / ram) * plotH;
    out.push(`<g class="panel" data-policy="${esc(r.policy)}">`);
    out.push(
      `<text x="${MARGIN.left}" y="${top - 10}" font-size="13" font-weight="bold">${esc(r.policy)}</text>`,
    );
    out.push(
      `<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999999"/>`,
    );
    for (const frac of [0, 0.5, 1]) {
      const yy = n(y(ram * frac));
      out.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${yy}" y2="${yy}" stroke="#eeeeee"/>`,
      );
      out.push(
        `<text x="${MARGIN.left - 6}" y="${yy}" text-anchor="end" dy="4">${esc(formatSize(ram * frac))}</text>`,
      );
    }
    for (const frac of [0, 0.25, 0.5, 0.75, 1]) {
      const t = Math.round(s.run.durationMs * frac);
      out.push(
        `<text x="${n(x(t))}" y="${top + plotH + 16}" text-anchor="middle">${esc(formatDuration(t))}</text>`,
      );
    }
    const used = r.series.map((p) => `${n(x(p.t))},${n(y(p.usedBytes))}`).join(' ');
    if (used) out.push(`<polyline points="${used}" fill="none" stroke="#555555" stroke-dasharray="4 3"/>`);
    keys.forEach((k, j) => {
      const pts = r.series.map((p) => `${n(x(p.t))},${n(y(p.byKey.get(k) ?? 0))}`).join(' ');
      if (pts)
        out.push(
          `<polyline points="${pts}" fill="none" stroke="${COLOURS[j % COLOURS.length]}" stroke-width="1.5"/>`,
        );
    });
    for (const e of r.events) {
      const m = marker(e);
      if (m === null) continue;
      const xx = n(x(Math.min(e.t, s.run.durationMs)));
      out.push(
        `<line x1="${xx}" x2="${xx}" y1="${top}" y2="${top + plotH}" stroke="${m.colour}" stroke-width="1"><title>${esc(`${(e.t / 1000).toFixed(1)} s ${m.label} by ${e.by}: ${e.reason}`)}</title></line>`,
      );
      out.push(`<circle cx="${xx}" cy="${top + 4}" r="3" fill="${m.colour}"/>`);
    }
    const legendX = MARGIN.left + plotW + 12;
    out.push(
      `<line x1="${legendX}" x2="${legendX + 16}" y1="${top + 6}" y2="${top + 6}" stroke="#555555" stroke-dasharray="4 3"/>`,
    );
    out.push(`<text x="${legendX + 20}" y="${top + 10}">RAM used</text>`);
    keys.forEach((k, j) => {
      const yy = top + 22 + j * 15;
      out.push(
        `<line x1="${legendX}" x2="${legendX + 16}" y1="${yy}" y2="${yy}" stroke="${COLOURS[j % COLOURS.length]}" stroke-width="2"/>`,
      );
      out.push(
        `<text x="${legendX + 20}" y="${yy + 4}">${esc(k.length > 24 ? `…${k.slice(-23)}` : k)}</text>`,
      );
    });
    out.push('</g>');
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

export function renderHtml(s: Scenario, runs: readonly PolicyRun[], report: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>oomguard simulate: ${esc(s.name)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em;max-width:1000px}pre{background:#f6f6f6;padding:1em;overflow-x:auto}</style>',
    '</head><body>',
    `<h1>${esc(s.name)}</h1>`,
    renderSvg(s, runs),
    `<pre>${esc(report)}</pre>`,
    '</body></html>',
    '',
  ].join('\n');
}
