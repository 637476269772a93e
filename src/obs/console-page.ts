/** Where the page fetches its data; served by the same endpoint. */
export const consoleDataPath = '/api/console';

/**
 * The web console: one page, inline CSS and script, no framework and nothing fetched from elsewhere.
 * It polls the data path every second and turns two polls into rates; every value is written with
 * textContent, never as HTML.
 */
export function consolePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>raftlog console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1d2330;background:#f6f7f9}
h1{font-size:1.3rem;margin:0 0 .3rem}h2{font-size:1.05rem;margin:1.4rem 0 .4rem}
table{border-collapse:collapse;background:#fff;min-width:24rem}
th,td{padding:.25rem .7rem;border-bottom:1px solid #e3e6eb;text-align:left}
th{background:#eef0f4;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b3261e;font-weight:600}.ok{color:#1b7a3a}.muted{color:#667}
#rates span{display:inline-block;margin-right:1.5rem}
</style></head><body>
<h1>raftlog</h1>
<div id="summary" class="muted">loading…</div>
<h2>Rates</h2><div id="rates"></div>
<h2>Nodes</h2><table id="nodes"></table>
<h2>Partitions</h2><table id="partitions"></table>
<h2>Consumer groups</h2><table id="groups"></table>
<div id="problems" class="bad"></div>
<script>
"use strict";
let previous;
const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = String(text); if (cls) e.className = cls; return e; };
function fill(id, head, rows) {
  const t = document.getElementById(id); t.replaceChildren();
  const tr = el('tr'); for (const h of head) tr.append(el('th', h)); t.append(tr);
  for (const r of rows) { const row = el('tr'); for (const c of r) row.append(typeof c === 'object' ? el('td', c.text, c.cls) : el('td', c)); t.append(row); }
}
const perSecond = (now, before, seconds) => before === undefined || seconds <= 0 ? 0 : Math.max(0, (now - before) / seconds);
const fmt = (x) => x >= 100 ? Math.round(x).toLocaleString() : x.toFixed(1);
function render(s) {
  const seconds = previous ? (s.atMs - previous.atMs) / 1000 : 0;
  document.getElementById('summary').textContent =
    'cluster ' + s.clusterId + ' · served by node ' + s.nodeId + ' · controller leader ' + (s.controller.leader || 'none') + ' (term ' + s.controller.term + ')';
  const hw = new Map((previous ? previous.partitions : []).map((p) => [p.topic + '/' + p.partition, p.highWatermark]));
  let clusterRate = 0;
  const partRows = s.partitions.map((p) => {
    const rate = perSecond(p.highWatermark, hw.get(p.topic + '/' + p.partition), seconds); clusterRate += rate;
    const full = p.inSync.length === p.replicas.length;
    return [p.topic, {text: p.partition, cls: 'n'}, {text: p.leader || 'none', cls: p.leader ? '' : 'bad'}, {text: p.term, cls: 'n'},
      p.replicas.join(','), {text: p.inSync.join(',') || '—', cls: full ? 'ok' : 'bad'}, {text: p.highWatermark, cls: 'n'}, {text: fmt(rate), cls: 'n'}];
  });
  const t = s.totals, b = previous && previous.totals;
  const rates = document.getElementById('rates'); rates.replaceChildren(
    el('span', 'cluster produce ' + fmt(clusterRate) + ' records/s'),
    el('span', 'node ' + s.nodeId + ' produce ' + fmt(perSecond(t.produceRecords, b && b.produceRecords, seconds)) + ' records/s, ' + fmt(perSecond(t.produceBytes, b && b.produceBytes, seconds) / 1024) + ' KiB/s'),
    el('span', 'fetch ' + fmt(perSecond(t.fetchRecords, b && b.fetchRecords, seconds)) + ' records/s, ' + fmt(perSecond(t.fetchBytes, b && b.fetchBytes, seconds) / 1024) + ' KiB/s'));
  fill('nodes', ['node', 'address', 'alive', 'replicas', 'leads'], s.nodes.map((n) =>
    [{text: n.id, cls: 'n'}, n.address, {text: n.alive ? 'yes' : 'NO', cls: n.alive ? 'ok' : 'bad'}, {text: n.replicas, cls: 'n'}, {text: n.leaders, cls: 'n'}]));
  fill('partitions', ['topic', 'partition', 'leader', 'term', 'replicas', 'in sync', 'high watermark', 'records/s'], partRows);
  fill('groups', ['group', 'state', 'members', 'lag'], s.groups.map((g) => [g.group, g.state, {text: g.members, cls: 'n'}, {text: g.lag, cls: 'n'}]));
  document.getElementById('problems').textContent = s.problems.join('; ');
  previous = s;
}
async function poll() {
  try {
    const r = await fetch('${consoleDataPath}', {cache: 'no-store'});
    if (!r.ok) throw new Error('HTTP ' + r.status);
    render(await r.json());
  } catch (e) { document.getElementById('problems').textContent = 'cannot reach the node: ' + e.message; }
  setTimeout(poll, 1000);
}
poll();
</script></body></html>
`;
}
