/** Reading a PNG the bot drew, for tests that check its size and what is painted on it. */
import { PNG } from "pngjs";

/** A decoded PNG: its size and a way to count pixels. */
export interface DecodedPng {
  width: number;
  height: number;
  /** Pixels in the rectangle (whole image by default) for which `test(r, g, b)` holds. */
  count(test: (r: number, g: number, b: number) => boolean, area?: { top?: number; bottom?: number; left?: number; right?: number }): number;
}

/** Decodes PNG bytes (throws when they are no PNG). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes));
  return {
    width: png.width,
    height: png.height,
    count(test, area = {}) {
      let found = 0;
      for (let y = area.top ?? 0; y < (area.bottom ?? png.height); y++) {
        for (let x = area.left ?? 0; x < (area.right ?? png.width); x++) {
          const offset = (y * png.width + x) * 4;
          if (test(png.data[offset]!, png.data[offset + 1]!, png.data[offset + 2]!)) found++;
        }
      }
      return found;
    },
  };
}

/** A test for one exact colour written `#rrggbb`. */
export function isColour(hex: string): (r: number, g: number, b: number) => boolean {
  const value = Number.parseInt(hex.slice(1), 16);
  return (r, g, b) => r === value >> 16 && g === ((value >> 8) & 0xff) && b === (value & 0xff);
}

/** Not the white background. */
export const notWhite = (r: number, g: number, b: number): boolean => r < 250 || g < 250 || b < 250;
/** Dark enough to be text (labels and titles are black; grid and axis lines are grey). */
export const textDark = (r: number, g: number, b: number): boolean => r < 90 && g < 90 && b < 90;
