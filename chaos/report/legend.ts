import type { FaultKind } from '../history/types.js';
import { escapeHtml } from './escape-html.js';
import { faultColor, nodeColor, seriesColors } from './palette.js';

function item(swatchStyle: string, label: string, cls = 'swatch'): string {
  return `<span class="chip"><span class="${cls}" style="${swatchStyle}"></span>${escapeHtml(label)}</span>`;
}

/** What the colours of the timeline mean, for the kinds and nodes that actually appear in it. */
export function legend(kinds: readonly FaultKind[], leaders: readonly number[]): string {
  const groups = [
    kinds.map((k) => item(`background:${faultColor(k)}`, k)),
    [
      ...leaders.map((id) => item(`background:${nodeColor(id)}`, `node ${id} leads`)),
      item('', 'no leader', 'swatch hatch-none'),
      item('', 'leader change', 'swatch tick'),
    ],
    [
      item(`background:${seriesColors.ok}`, 'ok'),
      item(`background:${seriesColors.info}`, 'info (unknown)'),
      item(`background:${seriesColors.fail}`, 'fail'),
      item(`background:${seriesColors.p50}`, 'p50'),
      item(`background:${seriesColors.p99}`, 'p99'),
      item('', 'no send acknowledged', 'swatch hatch-down'),
      item('', 'phase change', 'swatch dashed'),
    ],
  ];
  return `<div class="legend">${groups.map((g) => `<div>${g.join(' ')}</div>`).join('')}</div>`;
}
