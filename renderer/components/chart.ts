/**
 * Latency history as a small SVG line chart. The chart is an image to
 * screen readers (role="img" with a summary label); the numbers are also in
 * the card's text, so nothing is only visible in the picture.
 */
import { formatLatency } from '../lib/format.js';
import { svg } from '../lib/dom.js';

export interface Sample {
  at: number;
  status: 'ok' | 'degraded' | 'down';
  latencyMs: number | null;
}

export function latencyChart(
  samples: Sample[],
  label: string,
  width = 280,
  height = 64,
): SVGSVGElement {
  // The top band is kept free for the scale label, so the line never runs through it.
  const pad = { top: 14, right: 4, bottom: 12, left: 4 };
  const values = samples.map((s) => s.latencyMs).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const summary = values.length
    ? `${label} latency, last ${samples.length} checks: latest ${formatLatency(values[values.length - 1])}, highest ${formatLatency(max)}`
    : `${label}: no latency measured yet`;
  const root = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': summary,
    preserveAspectRatio: 'none',
  });
  const title = svg('title');
  title.textContent = summary;
  root.appendChild(title);
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  root.appendChild(
    svg('line', {
      class: 'chart-axis',
      x1: pad.left,
      x2: width - pad.right,
      y1: pad.top + innerH,
      y2: pad.top + innerH,
    }),
  );
  if (samples.length === 0) return root;
  const step = samples.length > 1 ? innerW / (samples.length - 1) : 0;
  const x = (i: number) => pad.left + i * step;
  const y = (v: number) => pad.top + innerH - (v / max) * innerH;
  let d = '';
  samples.forEach((s, i) => {
    if (s.latencyMs === null) return;
    d += `${d === '' || samples[i - 1]?.latencyMs === null ? 'M' : 'L'}${x(i).toFixed(1)},${y(s.latencyMs).toFixed(1)} `;
  });
  if (d) root.appendChild(svg('path', { class: 'chart-line', d: d.trim() }));
  // A lone sample (first check, or between gaps) is a dot: a path of one point draws nothing.
  samples.forEach((s, i) => {
    const alone =
      s.latencyMs !== null &&
      samples[i - 1]?.latencyMs == null &&
      samples[i + 1]?.latencyMs == null;
    if (alone)
      root.appendChild(
        svg('circle', { class: 'chart-dot', cx: x(i), cy: y(s.latencyMs!), r: 2.5 }),
      );
  });
  // Failed checks as marks on the axis: a gap in the line alone is easy to miss.
  samples.forEach((s, i) => {
    if (s.status === 'ok') return;
    root.appendChild(
      svg('rect', {
        class: `chart-mark chart-mark-${s.status}`,
        x: x(i) - 2,
        y: pad.top + innerH + 2,
        width: 4,
        height: 8,
      }),
    );
  });
  const scale = svg('text', {
    class: 'chart-scale',
    x: width - pad.right,
    y: 10,
    'text-anchor': 'end',
  });
  scale.textContent = formatLatency(max);
  root.appendChild(scale);
  return root;
}
