// A minimal PNG encoder (8-bit RGBA, no filtering) for the icon scripts, so
// drawing icons needs no image library. Shared by make-tray-icons.mjs and
// make-app-icons.mjs.
import { Buffer } from 'node:buffer';
import { deflateSync } from 'node:zlib';

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

/**
 * Renders a size×size PNG; `pixel(x, y)` gets the centre of a sub-pixel in
 * unit coordinates (0..1) and returns [r, g, b, a] (0..255). Each pixel
 * averages `samples`² sub-pixels, for smooth edges.
 */
export function renderPng(size, pixel, samples = 4) {
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4);
    row[0] = 0; // filter: none
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      const plain = [0, 0, 0];
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const [cr, cg, cb, ca] = pixel(
            (px + (sx + 0.5) / samples) / size,
            (py + (sy + 0.5) / samples) / size,
          );
          // Premultiplied accumulation, so transparent samples do not darken edges.
          r += cr * ca;
          g += cg * ca;
          b += cb * ca;
          a += ca;
          plain[0] += cr;
          plain[1] += cg;
          plain[2] += cb;
        }
      const n = samples * samples;
      const alpha = a / n;
      const at = 1 + px * 4;
      // A fully transparent pixel keeps the plain average colour (what image
      // editors expect at edges when they resample).
      row[at] = Math.round(a > 0 ? r / a : plain[0] / n);
      row[at + 1] = Math.round(a > 0 ? g / a : plain[1] / n);
      row[at + 2] = Math.round(a > 0 ? b / a : plain[2] / n);
      row[at + 3] = Math.round(alpha);
    }
    rows.push(row);
  }
  return encodePng(size, size, Buffer.concat(rows));
}

/** `raw`: rows of (filter byte 0 + RGBA pixels). */
export function encodePng(width, height, raw) {
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
