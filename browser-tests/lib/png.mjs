// A tiny PNG encoder (8-bit RGB, no interlace), enough to make rich-menu images of LINE's exact
// sizes inside the test instead of shipping binary fixtures. Flat colour blocks compress to a
// few kilobytes with zlib, well under LINE's 1 MB limit.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A width×height PNG whose pixel (x, y) has the colour `colourAt(x, y)` ([r, g, b], 0–255). */
export function encodePng(width, height, colourAt) {
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = raw.subarray(y * stride, (y + 1) * stride);
    row[0] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colourAt(x, y);
      row[1 + x * 3] = r;
      row[2 + x * 3] = g;
      row[3 + x * 3] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A rich-menu image: a grid of `columns`×`rows` cells, each its own colour from `palette`,
 * with white gutters so the areas are visible in the console's preview.
 */
export function gridImage(width, height, columns, rows, palette) {
  const gutter = 12;
  return encodePng(width, height, (x, y) => {
    const cw = width / columns;
    const ch = height / rows;
    const cx = x % cw;
    const cy = y % ch;
    if (cx < gutter / 2 || cx >= cw - gutter / 2 || cy < gutter / 2 || cy >= ch - gutter / 2) {
      return [255, 255, 255];
    }
    const i = Math.floor(y / ch) * columns + Math.floor(x / cw);
    return palette[i % palette.length];
  });
}
