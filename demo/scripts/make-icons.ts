/**
 * Draws the demo's PNG icons (a list on Ferry's teal) with nothing but node:zlib, so the
 * committed binaries can be remade: `npx tsx demo/scripts/make-icons.ts`.
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const TEAL = [15, 118, 110] as const;
const WHITE = [255, 255, 255] as const;
const MINT = [153, 246, 228] as const;

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** The colour at (x, y) in the unit square: three list rows, the first one ticked. */
function colour(x: number, y: number): readonly [number, number, number] {
  for (const [row, centre] of [0.32, 0.5, 0.68].entries()) {
    const dy = Math.abs(y - centre);
    const dot = Math.hypot(x - 0.3, y - centre) < 0.055;
    if (dot) return row === 0 ? MINT : WHITE;
    if (dy < 0.03 && x > 0.4 && x < 0.74) return WHITE;
  }
  return TEAL;
}

function png(size: number): Buffer {
  const raw = Buffer.alloc(size * (size * 3 + 1));
  for (let y = 0; y < size; y++) {
    const line = y * (size * 3 + 1);
    raw[line] = 0; // no filter
    for (let x = 0; x < size; x++) {
      const [r, g, b] = colour((x + 0.5) / size, (y + 0.5) / size);
      raw.set([r, g, b], line + 1 + x * 3);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/', import.meta.url);
for (const [name, size] of [
  ['icon-192.png', 192],
  ['icon-512.png', 512],
  ['apple-touch-icon.png', 180],
] as const) {
  writeFileSync(new URL(name, out), png(size));
}
