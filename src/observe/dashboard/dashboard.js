// The oomguard dashboard: plain browser JavaScript, no build step, no resource from anywhere but this server.
// Data arrives as JSON (/api/state once, then Server-Sent Events from /events). Every name that comes from a
// process is put in the page with textContent, never as HTML.
(() => {
  const MAX_POINTS = 600;
  const COLORS = { mem: '#1f5fa8', swap: '#7b4fa0', some: '#b26a00', full: '#b3261e', kill: '#b3261e' };

  const $ = (id) => document.getElementById(id);
  const series = { t: [], mem: [], swap: [], some: [], full: [] };
  let kills = [];
  let memory = null;
  let selectedPid = null;
  let charts = [];
  let killsShown = false;

  function formatBytes(n) {
    if (n === null || n === undefined || !Number.isFinite(n)) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let v = Math.abs(n);
    let i = 0;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    const s = i === 0 ? String(v) : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
    return `${n < 0 ? '-' : ''}${s} ${units[i]}`;
  }

  function formatPercent(n) {
    return n === null || n === undefined ? '–' : `${n.toFixed(2)} %`;
  }

  function formatTime(ms) {
    const d = new Date(ms);
    return d.toLocaleTimeString(undefined, { hour12: false });
  }

  /** A table cell holding text only. */
  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined ? '' : String(text);
    if (className) td.className = className;
    return td;
  }

  // Charts ------------------------------------------------------------------------------------------

  /** Draws kills as red vertical lines and, on the memory chart, the SIGTERM / SIGKILL levels as dashed lines. */
  function overlay(withLevels) {
    return {
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const { left, top, width, height } = u.bbox;
            ctx.save();
            ctx.beginPath();
            ctx.rect(left, top, width, height);
            ctx.clip();
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.strokeStyle = COLORS.kill;
            for (const k of kills) {
              if (k.event !== 'signal') continue;
              const x = u.valToPos(k.timeMs / 1000, 'x', true);
              if (x < left || x > left + width) continue;
              ctx.beginPath();
              ctx.moveTo(x, top);
              ctx.lineTo(x, top + height);
              ctx.stroke();
            }
            if (withLevels && memory !== null) {
              ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
              ctx.lineWidth = devicePixelRatio;
              for (const [bytes, color] of [
                [memory.termBytes, '#b26a00'],
                [memory.killBytes, '#b3261e'],
              ]) {
                if (!(bytes > 0)) continue;
                const y = u.valToPos(bytes, 'y', true);
                ctx.strokeStyle = color;
                ctx.beginPath();
                ctx.moveTo(left, y);
                ctx.lineTo(left + width, y);
                ctx.stroke();
              }
            }
            ctx.restore();
          },
        ],
      },
    };
  }

  function chartSize(el) {
    return { width: Math.max(300, el.clientWidth), height: 220 };
  }

  function makeCharts() {
    const memEl = $('chart-memory');
    const psiEl = $('chart-pressure');
    const time = { time: true };
    const memChart = new uPlot(
      {
        ...chartSize(memEl),
        scales: { x: time, y: { range: (_u, _min, max) => [0, Math.max(max, memory?.sizeBytes ?? 0, 1)] } },
        axes: [{}, { values: (_u, vals) => vals.map(formatBytes), size: 80 }],
        series: [
          {},
          { label: 'memory available', stroke: COLORS.mem, width: 2, value: (_u, v) => formatBytes(v) },
          { label: 'swap free', stroke: COLORS.swap, width: 2, value: (_u, v) => formatBytes(v) },
        ],
        plugins: [overlay(true)],
      },
      [series.t, series.mem, series.swap],
      memEl,
    );
    const psiChart = new uPlot(
      {
        ...chartSize(psiEl),
        scales: { x: time, y: { range: (_u, _min, max) => [0, Math.max(10, max)] } },
        axes: [{}, { values: (_u, vals) => vals.map((v) => `${v} %`), size: 60 }],
        series: [
          {},
          { label: 'some', stroke: COLORS.some, width: 2, value: (_u, v) => formatPercent(v) },
          { label: 'full', stroke: COLORS.full, width: 2, value: (_u, v) => formatPercent(v) },
        ],
        plugins: [overlay(false)],
      },
      [series.t, series.some, series.full],
      psiEl,
    );
    charts = [
      { chart: memChart, el: memEl, data: () => [series.t, series.mem, series.swap] },
      { chart: psiChart, el: psiEl, data: () => [series.t, series.some, series.full] },
    ];
    window.addEventListener('resize', () => {
      for (const c of charts) c.chart.setSize(chartSize(c.el));
    });
  }

  function addPoint(p) {
    if (!p) return;
    const last = series.t[series.t.length - 1];
    if (last !== undefined && p.t <= last) return;
    series.t.push(p.t);
    series.mem.push(p.memAvailableBytes);
    series.swap.push(p.swapFreeBytes);
    series.some.push(p.psiSome);
    series.full.push(p.psiFull);
    if (series.t.length > MAX_POINTS) {
      for (const k of Object.keys(series)) series[k].shift();
    }
  }

  function redrawCharts() {
    for (const c of charts) c.chart.setData(c.data());
  }

  // Tables ------------------------------------------------------------------------------------------

  function renderSummary(s) {
    const level = $('level');
    level.textContent =
      s.level === 'ok' ? 'memory OK' : s.level === 'term' ? 'SIGTERM level' : 'SIGKILL level';
    level.className = `level ${s.level}`;
    level.title = s.levelReason;
    $('scope').textContent = `scope ${s.scope} · ranker ${s.ranker}`;
    memory = s.memory;
    if (s.memory) {
      $('mem-available').textContent = formatBytes(s.memory.availableBytes);
      const pct = s.memory.sizeBytes > 0 ? (s.memory.availableBytes * 100) / s.memory.sizeBytes : 0;
      $('mem-detail').textContent = `${pct.toFixed(1)} % of ${formatBytes(s.memory.sizeBytes)}`;
      $('swap-free').textContent =
        s.memory.swapSizeBytes > 0 ? formatBytes(s.memory.swapFreeBytes) : 'no swap';
      $('swap-detail').textContent =
        s.memory.swapSizeBytes > 0 ? `of ${formatBytes(s.memory.swapSizeBytes)}` : 'judged on memory alone';
    }
    const psi = s.pressure.memory;
    $('psi').textContent = psi ? formatPercent(psi.some.avg10) : 'no PSI';
    $('psi-detail').textContent = psi
      ? `some · full ${formatPercent(psi.full ? psi.full.avg10 : null)} · some avg60 ${formatPercent(psi.some.avg60)}`
      : '';
    $('kernel-kills').textContent = s.kernelOomKills === null ? '–' : String(s.kernelOomKills);
    const problem = $('problem');
    problem.hidden = s.error === null;
    problem.textContent = s.error ?? '';
  }

  function renderCandidates(s) {
    const body = $('candidates').querySelector('tbody');
    const rows = s.candidates.map((c) => {
      const tr = document.createElement('tr');
      tr.dataset.pid = String(c.pid);
      if (c.pid === selectedPid) tr.className = 'selected';
      tr.append(
        cell(c.position, 'num'),
        cell(c.pid, 'num'),
        cell(c.comm),
        cell(c.user ?? c.uid),
        cell(formatBytes(c.rssBytes), 'num'),
        cell(formatBytes(c.swapBytes), 'num'),
        cell(c.oomScoreAdj, 'num'),
        cell(c.badness, 'num'),
        cell(c.oomScore, 'num'),
        cell(c.cgroup),
      );
      return tr;
    });
    body.replaceChildren(...rows);
    $('candidates-note').textContent = `${s.killableCount} killable`;
  }

  function renderKills() {
    const body = $('kills').querySelector('tbody');
    const known = new Set([...body.querySelectorAll('tr')].map((tr) => tr.dataset.key));
    const rows = [...kills].reverse().map((k) => {
      const tr = document.createElement('tr');
      const key = `${k.timeMs}/${k.event}/${k.pid}/${k.signal}`;
      tr.dataset.key = key;
      if (killsShown && !known.has(key)) tr.className = 'fresh';
      const what =
        k.event === 'exit' ? 'exited' : k.dryRun ? `would send ${k.signal ?? ''}` : `sent ${k.signal ?? ''}`;
      tr.append(
        cell(formatTime(k.timeMs)),
        cell(what),
        cell(k.pid, 'num'),
        cell(k.comm),
        cell(k.signal),
        cell(k.unit),
        cell(k.rssBytes === null ? '' : formatBytes(k.rssBytes), 'num'),
        cell(k.reason ?? k.message, 'wrap'),
      );
      return tr;
    });
    body.replaceChildren(...rows);
    killsShown = true;
    $('no-kills').hidden = kills.length > 0;
  }

  function render(s) {
    renderSummary(s);
    renderCandidates(s);
    kills = s.kills;
    renderKills();
  }

  async function explain(pid) {
    selectedPid = pid;
    for (const tr of $('candidates').querySelectorAll('tbody tr')) {
      tr.classList.toggle('selected', Number(tr.dataset.pid) === pid);
    }
    $('explain-title').textContent = `pid ${pid}`;
    const pre = $('explanation');
    pre.textContent = 'asking…';
    try {
      const res = await fetch(`/api/explain/${pid}`);
      const body = await res.json();
      if (selectedPid !== pid) return;
      pre.textContent = res.ok ? body.text : body.error;
    } catch (e) {
      pre.textContent = `cannot ask: ${e.message}`;
    }
  }

  // Live updates ------------------------------------------------------------------------------------

  function connect() {
    const status = $('connection');
    const source = new EventSource('/events');
    source.addEventListener('open', () => {
      status.textContent = 'live';
      status.className = 'connection live';
    });
    source.addEventListener('error', () => {
      status.textContent = 'reconnecting…';
      status.className = 'connection down';
    });
    source.addEventListener('state', (m) => {
      const s = JSON.parse(m.data);
      addPoint(s.point);
      render(s);
      redrawCharts();
    });
    source.addEventListener('daemon', (m) => {
      const e = JSON.parse(m.data);
      if (e.kill === null) return;
      kills = [...kills, e.kill];
      renderKills();
      redrawCharts();
    });
  }

  async function start() {
    $('candidates')
      .querySelector('tbody')
      .addEventListener('click', (ev) => {
        const tr = ev.target.closest('tr');
        if (tr?.dataset.pid) explain(Number(tr.dataset.pid));
      });
    const res = await fetch('/api/state');
    const s = await res.json();
    for (const p of s.series) addPoint(p);
    render(s);
    makeCharts();
    connect();
  }

  start().catch((e) => {
    const problem = $('problem');
    problem.hidden = false;
    problem.textContent = `cannot load the dashboard: ${e.message}`;
  });
})();
