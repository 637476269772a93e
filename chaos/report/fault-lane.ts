import type { FaultKind } from '../history/types.js';
import { escapeHtml } from './escape-html.js';
import type { FaultRow, PlacedSpan } from './fault-rows.js';
import type { Lane } from './lane.js';
import { faultColor } from './palette.js';
import { px } from './svg-number.js';
import { formatMs } from './time-axis.js';
import type { TimeFrame } from './time-frame.js';

const trackHeight = 16;
const rowGap = 4;

/** Labels for bands too narrow for the kind's name; the tooltip always has the whole story. */
const shortNames: Readonly<Partial<Record<FaultKind, string>>> = {
  partition: 'part',
  'restart-rolling': 'rolling',
  'transfer-storm': 'storm',
  membership: 'member',
  'disk-bitflip': 'bitflip',
  'disk-truncate': 'truncate',
  'clock-skew': 'skew',
  latency: 'slow',
  'client-leader-cut': 'client cut',
};

function rowHeight(row: FaultRow): number {
  return row.tracks * trackHeight + rowGap;
}

/** Fault bands, a row per node and one for cluster-wide faults, coloured by kind. */
export function faultLane(rows: readonly FaultRow[], frame: TimeFrame): Lane {
  return {
    title: 'Faults',
    height: rows.reduce((h, r) => h + rowHeight(r), 0),
    render: (top) => {
      let y = top;
      return rows
        .map((row, i) => {
          const svg = renderRow(row, y, i, frame);
          y += rowHeight(row);
          return svg;
        })
        .join('');
    },
  };
}

function renderRow(row: FaultRow, top: number, i: number, frame: TimeFrame): string {
  const h = rowHeight(row);
  const stripe =
    i % 2 === 0
      ? `<rect class="stripe" x="${px(frame.left)}" y="${px(top)}" width="${px(frame.right - frame.left)}" height="${h}"/>`
      : '';
  const label = `<text class="row-label" x="${px(frame.left - 8)}" y="${px(top + h / 2 + 4)}">${escapeHtml(row.label)}</text>`;
  return stripe + label + row.spans.map((s) => renderSpan(s, top + rowGap / 2, frame)).join('');
}

function renderSpan(s: PlacedSpan, rowTop: number, frame: TimeFrame): string {
  const x = frame.x(s.startMs);
  const width = Math.max(2, frame.x(s.endMs) - x);
  const y = rowTop + s.track * trackHeight + 1;
  const what = s.count > 1 ? `${s.count} ${s.kind} faults, first: ${s.description}` : s.description;
  const until = s.healed ? formatMs(s.endMs) : 'the end (not healed)';
  const title = `${s.kind} from ${formatMs(s.startMs)} to ${until}: ${what}`;
  const cls = s.healed ? 'fault' : 'fault open';
  const rect =
    `<rect class="${cls}" data-kind="${escapeHtml(s.kind)}" x="${px(x)}" y="${px(y)}" width="${px(width)}" ` +
    `height="${trackHeight - 2}" fill="${faultColor(s.kind)}"><title>${escapeHtml(title)}</title></rect>`;
  const label = [s.kind, shortNames[s.kind]].find((l) => l !== undefined && width > l.length * 6.2 + 8);
  const text =
    label === undefined
      ? ''
      : `<text class="fault-label" x="${px(x + 4)}" y="${px(y + trackHeight - 5)}">${escapeHtml(label)}</text>`;
  return rect + text;
}
