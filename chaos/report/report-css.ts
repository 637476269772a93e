/** The page's only stylesheet, inline so the report is one file that opens anywhere, offline. */
export const reportCss = `
*{box-sizing:border-box}
body{margin:0;background:#f8f9fa;color:#212529;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1360px;margin:0 auto;padding:16px 20px 40px}
h1{margin:0 0 6px;font-size:20px;font-weight:600}
h2{margin:26px 0 10px;font-size:17px}
h3{margin:0 0 4px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:#495057}
code{font:12.5px/1.4 ui-monospace,"DejaVu Sans Mono",monospace}
.head{display:flex;gap:28px;align-items:center;padding:16px 22px;border-radius:8px;background:#fff;border-left:10px solid}
.head.valid{border-color:#2b8a3e}.head.invalid{border-color:#c92a2a}
.verdict{font-size:46px;font-weight:800;letter-spacing:.02em}
.valid .verdict{color:#2b8a3e}.invalid .verdict{color:#c92a2a}
.facts dl{display:flex;flex-wrap:wrap;gap:4px 26px;margin:0}
.facts dt{display:inline;color:#868e96;margin-right:6px}.facts dd{display:inline;margin:0;font-weight:600}
.replay{margin:10px 0;padding:8px 12px;background:#fff;border-radius:6px;color:#495057}
.replay code{background:#f1f3f5;padding:2px 6px;border-radius:4px;color:#212529}
.stats{display:grid;grid-template-columns:repeat(6,1fr);gap:10px}
.stat{background:#fff;border-radius:6px;padding:10px 12px}.stat.two{grid-column:span 2}.stat.wide{grid-column:1/-1}
.chip{display:inline-flex;align-items:center;gap:5px;margin:2px 10px 2px 0;white-space:nowrap}
.chip.bad{color:#c92a2a;font-weight:700}.zero{color:#adb5bd}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}
.hatch-none{background:repeating-linear-gradient(45deg,#f1f3f5 0 3px,#adb5bd 3px 5px)}
.hatch-down{background:repeating-linear-gradient(45deg,#fff5f5 0 3px,#ffc9c9 3px 6px)}
.tick{width:2px;height:14px;background:#212529;border-radius:0}
.dashed{width:14px;height:0;border-top:2px dashed #868e96;border-radius:0}
.plot{background:#fff;border-radius:6px;padding:8px 4px 4px;overflow-x:auto}
.legend{display:flex;flex-direction:column;gap:2px;padding:6px 12px 10px;font-size:12.5px;color:#495057}
svg.timeline{display:block;font-size:11px}
svg .stripe{fill:#868e96;fill-opacity:.07}
svg .row-label,svg .tick-y{text-anchor:end;fill:#495057}
svg .row-label{font:11.5px ui-monospace,"DejaVu Sans Mono",monospace}
svg .lane-title{font-weight:600;fill:#343a40;font-size:12px}
svg .fault.open{stroke:#212529;stroke-dasharray:3 2}
svg .fault-label{fill:#fff;font-size:10.5px;font-weight:600;pointer-events:none}
svg .leader-label{fill:#fff;font-size:9.5px;font-weight:700;pointer-events:none}
svg .leader-change{stroke:#212529;stroke-width:1.5;fill:none}
svg .grid-x,svg .grid-y{stroke:#e9ecef}
svg .axis,svg .tick-x{stroke:#495057}
svg .tick-x-label{text-anchor:middle;fill:#495057}
svg .axis-title{fill:#868e96}
svg .phase{stroke:#868e96;stroke-dasharray:4 3}
svg .phase-label{fill:#868e96;font-style:italic}
svg .throughput{fill-opacity:.7}
svg .latency{fill:none;stroke-width:1.5;stroke-linejoin:round}
svg rect:hover{stroke:#212529;stroke-width:1}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #e9ecef}
th{font-size:12px;color:#495057;background:#f1f3f5}
td.num,th.num{text-align:right;white-space:nowrap}
table.ops{background:transparent;font:12px/1.35 ui-monospace,"DejaVu Sans Mono",monospace}
table.ops td{padding:1px 6px;border:0;white-space:nowrap}
table.ops td:last-child{white-space:normal;overflow-wrap:anywhere}
.type.ok{color:#2b8a3e}.type.fail{color:#c92a2a}.type.info{color:#e67700}.type.invoke{color:#868e96}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-weight:700;font-size:12px;white-space:nowrap}
.badge.bad{background:#ffe3e3;color:#c92a2a}
tr.more td{color:#868e96;font-style:italic}
.bar{display:inline-block;height:10px;border-radius:2px;opacity:.8}
.none,.hint{color:#868e96;margin:4px 0 8px}
`;
