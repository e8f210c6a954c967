/**
 * How a person without a profile picture looks beside their name: their initials in a circle whose
 * colour comes from their handle, so the same person has the same colour everywhere and on every
 * device. Each colour pair is checked for WCAG AA (4.5:1) text contrast, in the light and dark schemes.
 */

/** At most two letters: the first of the display name's first two words, else the handle's first. */
export function initialsOf(displayName: string | undefined, handle: string): string {
  const words = (displayName ?? '').trim().split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w));
  const letters = words.length ? words.slice(0, 2).map((w) => [...w.replace(/^[^\p{L}\p{N}]+/u, '')][0] ?? '') : [[...handle][0] ?? '?'];
  return letters.join('').toLocaleUpperCase();
}

/** A hue from the handle (FNV-1a): stable, and spread enough that friends rarely share one. */
export function avatarHue(handle: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(handle)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash % 360;
}

type Rgb = [number, number, number];

function hslToRgb(hue: number, saturation: number, lightness: number): Rgb {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const f = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

const hex = (rgb: Rgb) => `#${rgb.map((c) => c.toString(16).padStart(2, '0')).join('')}`;
const parseHex = (colour: string): Rgb => [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16)) as Rgb;

/** WCAG 2 relative luminance of `#rrggbb`. */
function luminance(colour: string): number {
  const [r, g, b] = parseHex(colour).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as Rgb;
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/** Text on the circles: white in the light scheme, the page's dark background in the dark one (peerwall.css). */
export const AVATAR_TEXT = { light: '#ffffff', dark: '#1c1b19' } as const;
const AA = 4.6; // a little over 4.5, so rounding in a browser never drops a pair below AA

/** The circle's colour in each scheme: the handle's hue, darkened (light) or lightened (dark) until its text passes AA. */
export function avatarColours(handle: string): { light: string; dark: string } {
  const hue = avatarHue(handle);
  let light = 0.42;
  while (contrastRatio(hex(hslToRgb(hue, 0.55, light)), AVATAR_TEXT.light) < AA) light -= 0.02;
  let dark = 0.68;
  while (contrastRatio(hex(hslToRgb(hue, 0.6, dark)), AVATAR_TEXT.dark) < AA) dark += 0.02;
  return { light: hex(hslToRgb(hue, 0.55, light)), dark: hex(hslToRgb(hue, 0.6, dark)) };
}
