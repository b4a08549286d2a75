// Draws the tray icons (resources/tray/<state>.png and <state>@2x.png), one
// per health state. Each state differs by shape as well as colour, so the
// icon reads for colour-blind users too: ok = disc, degraded = triangle,
// down = square with a cross, unknown = ring. Run: node scripts/make-tray-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderPng } from './lib/png.mjs';

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'tray');

const STATES = {
  ok: { color: [30, 160, 90], shape: 'disc' },
  degraded: { color: [230, 150, 0], shape: 'triangle' },
  down: { color: [210, 45, 35], shape: 'cross' },
  unknown: { color: [130, 140, 155], shape: 'ring' },
};

/** Coverage (0..1) of a shape at point (x, y) in a unit square centred at 0.5. */
function inside(shape, x, y) {
  const dx = x - 0.5;
  const dy = y - 0.5;
  const r = Math.hypot(dx, dy);
  switch (shape) {
    case 'disc':
      return r <= 0.42;
    case 'ring':
      return r <= 0.42 && r >= 0.28;
    case 'triangle': {
      // Apex up, base at the bottom.
      const top = 0.1;
      const bottom = 0.86;
      if (y < top || y > bottom) return false;
      const half = ((y - top) / (bottom - top)) * 0.42;
      return Math.abs(dx) <= half;
    }
    case 'cross': {
      const inSquare = Math.abs(dx) <= 0.4 && Math.abs(dy) <= 0.4;
      const onDiagonal = Math.abs(dx - dy) < 0.1 || Math.abs(dx + dy) < 0.1;
      return inSquare && !(onDiagonal && Math.abs(dx) <= 0.27 && Math.abs(dy) <= 0.27);
    }
  }
  return false;
}

function render(size, { color, shape }) {
  return renderPng(size, (x, y) => [...color, inside(shape, x, y) ? 255 : 0]);
}

mkdirSync(out, { recursive: true });
for (const [state, spec] of Object.entries(STATES)) {
  writeFileSync(join(out, `${state}.png`), render(16, spec));
  writeFileSync(join(out, `${state}@2x.png`), render(32, spec));
  writeFileSync(join(out, `${state}-large.png`), render(64, spec));
}
console.log(`make-tray-icons: wrote ${Object.keys(STATES).length * 3} icons to ${out}`);
