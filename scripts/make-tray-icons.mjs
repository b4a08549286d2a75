// Draws the tray icons (resources/tray/<state>.png and <state>@2x.png), one
// per health state. Each state differs by shape as well as colour, so the
// icon reads for colour-blind users too: ok = disc, degraded = triangle,
// down = square with a cross, unknown = ring. Run: node scripts/make-tray-icons.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';

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
  const samples = 4; // 4x4 supersampling for smooth edges
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    row[0] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++)
          if (inside(shape, (px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size))
            hits++;
      const alpha = Math.round((hits / (samples * samples)) * 255);
      row.set([...color, alpha], 1 + px * 4);
    }
    rows.push(row);
  }
  return png(size, size, Buffer.concat(rows));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(width, height, raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

mkdirSync(out, { recursive: true });
for (const [state, spec] of Object.entries(STATES)) {
  writeFileSync(join(out, `${state}.png`), render(16, spec));
  writeFileSync(join(out, `${state}@2x.png`), render(32, spec));
  writeFileSync(join(out, `${state}-large.png`), render(64, spec));
}
console.log(`make-tray-icons: wrote ${Object.keys(STATES).length * 3} icons to ${out}`);
