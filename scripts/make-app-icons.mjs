// Draws the application icon — a white database cylinder on a blue rounded
// square — at every size the installers need, and writes the containers
// electron-builder reads from resources/:
//   resources/icon.png            1024×1024, the master (and the Linux fallback)
//   resources/icons/NxN.png       Linux sizes (AppImage, deb, the .desktop entry)
//   resources/icon.ico            Windows (NSIS, the .exe), PNG-compressed entries
//   resources/icon.icns           macOS (dmg, the .app), PNG-compressed entries
// Each size is drawn from the shapes, not scaled from the master, so small
// sizes stay sharp. Run: node scripts/make-app-icons.mjs (or npm run icons).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Buffer } from 'node:buffer';
import { renderPng } from './lib/png.mjs';

const resources = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources');

const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
/** ICNS element types holding PNG data, with their pixel size. */
const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
];

const TOP = [43, 108, 176];
const BOTTOM = [26, 54, 93];
const BODY = [255, 255, 255];
const FACE = [214, 230, 250];
const BAND = [59, 111, 216];
const CLEAR = [255, 255, 255, 0];

/** Inside a rounded square with `margin` on each side and corner radius `radius`. */
function inRoundedSquare(x, y, margin, radius) {
  const lo = margin + radius;
  const hi = 1 - margin - radius;
  const cx = Math.min(Math.max(x, lo), hi);
  const cy = Math.min(Math.max(y, lo), hi);
  return Math.hypot(x - cx, y - cy) <= radius;
}

const CX = 0.5;
const HALF_WIDTH = 0.27;
const RY = 0.085;
const Y_TOP = 0.3;
const Y_BOTTOM = 0.7;
const TIERS = [0.433, 0.566];
const BAND_HALF = 0.014;

function inEllipse(x, y, cy) {
  const dx = (x - CX) / HALF_WIDTH;
  const dy = (y - cy) / RY;
  return dx * dx + dy * dy <= 1;
}

function pixel(x, y) {
  if (!inRoundedSquare(x, y, 0.06, 0.18)) return CLEAR;
  const t = (y - 0.06) / 0.88;
  const background = [0, 1, 2].map((i) => TOP[i] + (BOTTOM[i] - TOP[i]) * t);
  const inColumn = Math.abs(x - CX) <= HALF_WIDTH;
  const inBody =
    (inColumn && y >= Y_TOP && y <= Y_BOTTOM) ||
    inEllipse(x, y, Y_BOTTOM) ||
    inEllipse(x, y, Y_TOP);
  if (!inBody) return [...background, 255];
  if (inEllipse(x, y, Y_TOP)) return [...FACE, 255];
  // The tier lines follow the lower half of an ellipse, like the cylinder's bottom edge.
  const u = (x - CX) / HALF_WIDTH;
  const sag = RY * Math.sqrt(Math.max(0, 1 - u * u));
  for (const tier of TIERS) if (Math.abs(y - (tier + sag)) <= BAND_HALF) return [...BAND, 255];
  return [...BODY, 255];
}

const cache = new Map();
function iconPng(size) {
  if (!cache.has(size)) cache.set(size, renderPng(size, pixel, size <= 64 ? 8 : 4));
  return cache.get(size);
}

function ico(sizes) {
  const images = sizes.map(iconPng);
  const header = Buffer.alloc(6 + 16 * images.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(images.length, 4);
  let offset = header.length;
  images.forEach((image, i) => {
    const at = 6 + 16 * i;
    const size = sizes[i];
    header[at] = size >= 256 ? 0 : size; // 0 means 256
    header[at + 1] = size >= 256 ? 0 : size;
    header.writeUInt16LE(1, at + 4); // colour planes
    header.writeUInt16LE(32, at + 6); // bits per pixel
    header.writeUInt32LE(image.length, at + 8);
    header.writeUInt32LE(offset, at + 12);
    offset += image.length;
  });
  return Buffer.concat([header, ...images]);
}

function icns(types) {
  const elements = types.map(([type, size]) => {
    const data = iconPng(size);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(8 + data.length, 4);
    return Buffer.concat([head, data]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + elements.reduce((n, e) => n + e.length, 0), 4);
  return Buffer.concat([head, ...elements]);
}

mkdirSync(join(resources, 'icons'), { recursive: true });
writeFileSync(join(resources, 'icon.png'), iconPng(1024));
for (const size of LINUX_SIZES)
  writeFileSync(join(resources, 'icons', `${size}x${size}.png`), iconPng(size));
writeFileSync(join(resources, 'icon.ico'), ico(ICO_SIZES));
writeFileSync(join(resources, 'icon.icns'), icns(ICNS_TYPES));
console.log(
  `make-app-icons: wrote icon.png, icon.ico, icon.icns and ${LINUX_SIZES.length} sizes in icons/ under ${resources}`,
);
