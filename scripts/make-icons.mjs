// Draws Inlet's icons into build/ (run by hand when they change: `node scripts/make-icons.mjs`;
// the PNGs are committed). The tray icon is a coloured disc whose colour and white glyph show
// the hub's state (app/main/tray-view.ts); the app icon is what installers and docks show.
// Shapes are signed distance functions, supersampled 4x4 per pixel; PNGs are written by hand
// (zlib + CRC-32), so the script needs nothing but Node.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WHITE = [255, 255, 255];

const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, w) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w;
function capsule(ax, ay, bx, by, r) {
  return (x, y) => {
    const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
    return Math.hypot(px - dx * t, py - dy * t) - r;
  };
}
function roundRect(cx, cy, half, radius) {
  return (x, y) => {
    const qx = Math.abs(x - cx) - half + radius, qy = Math.abs(y - cy) - half + radius;
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
  };
}
const union = (...shapes) => (x, y) => Math.min(...shapes.map((s) => s(x, y)));

/** layers: [{shape, color}] painted in order; coordinates are 0..1. */
function render(size, layers) {
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size, y = (py + (sy + 0.5) / n) / size;
          let cr = 0, cg = 0, cb = 0, ca = 0;
          for (const { shape, color } of layers) {
            if (shape(x, y) > 0) continue;
            [cr, cg, cb] = color;
            ca = 1;
          }
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const i = (py * size + px) * 4;
      const samples = n * n;
      pixels[i] = a ? Math.round(r / a) : 0;
      pixels[i + 1] = a ? Math.round(g / a) : 0;
      pixels[i + 2] = a ? Math.round(b / a) : 0;
      pixels[i + 3] = Math.round((a / samples) * 255);
    }
  }
  return png(size, pixels);
}

const CRC = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}
function png(size, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// Tray: a disc in the state's colour, and a white glyph saying the same for colour-blind eyes.
const disc = circle(0.5, 0.5, 0.46);
const TRAY = {
  idle: { color: [120, 128, 140], glyph: ring(0.5, 0.5, 0.17, 0.06) },
  serving: { color: [38, 150, 88], glyph: union(ring(0.5, 0.5, 0.2, 0.055), circle(0.5, 0.5, 0.08)) },
  waiting: { color: [226, 140, 20], glyph: union(capsule(0.5, 0.25, 0.5, 0.55, 0.07), circle(0.5, 0.75, 0.075)) },
  paused: { color: [88, 104, 150], glyph: union(capsule(0.39, 0.3, 0.39, 0.7, 0.07), capsule(0.61, 0.3, 0.61, 0.7, 0.07)) },
  down: { color: [204, 58, 48], glyph: union(capsule(0.32, 0.32, 0.68, 0.68, 0.07), capsule(0.68, 0.32, 0.32, 0.68, 0.07)) },
};
mkdirSync(join(ROOT, 'build', 'icons', 'tray'), { recursive: true });
for (const [name, { color, glyph }] of Object.entries(TRAY)) {
  const layers = [{ shape: disc, color }, { shape: glyph, color: WHITE }];
  writeFileSync(join(ROOT, 'build', 'icons', 'tray', `${name}.png`), render(16, layers));
  writeFileSync(join(ROOT, 'build', 'icons', 'tray', `${name}@2x.png`), render(32, layers));
}

// The app icon: a rounded square, a ring (the hub) and a line dialling in from outside.
const APP = [
  { shape: roundRect(0.5, 0.5, 0.44, 0.1), color: [52, 72, 190] },
  { shape: union(ring(0.56, 0.56, 0.2, 0.055), circle(0.56, 0.56, 0.07), capsule(0.16, 0.16, 0.41, 0.41, 0.055)), color: WHITE },
];
writeFileSync(join(ROOT, 'build', 'icon.png'), render(1024, APP));
console.log('wrote build/icon.png and build/icons/tray/*.png');
