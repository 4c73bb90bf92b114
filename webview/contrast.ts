// Colours kept readable whatever the theme gives: a theme's chart orange can be dark on a dark editor
// (VS Code's Dark Modern in code-server), and text on a coloured box must take the lighter or darker ink.
// WCAG 2 relative luminance and contrast ratio; pure, so it is tested without a browser.

export type Rgb = [number, number, number];

/** `#rgb(a)`, `#rrggbb(aa)` or `rgb(a)(r, g, b[, a])` / `rgb(r g b / a)`, alpha 0..1; null for anything else. */
export function parseColorAlpha(text: string): { rgb: Rgb; alpha: number } | null {
  const t = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(t)?.[1];
  if (hex) {
    const full = hex.length <= 4 ? [...hex].map((c) => c + c).join('') : hex;
    const rgb = [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as Rgb;
    return { rgb, alpha: full.length === 8 ? parseInt(full.slice(6, 8), 16) / 255 : 1 };
  }
  const m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)(?:\s*[,/]\s*([\d.]+)(%?))?/.exec(t);
  if (!m) return null;
  const alpha = m[4] === undefined ? 1 : Number(m[4]) / (m[5] ? 100 : 1);
  return { rgb: [Number(m[1]), Number(m[2]), Number(m[3])], alpha: Math.min(1, Math.max(0, alpha)) };
}

/** The colour's channels (alpha dropped); null when it does not parse. */
export function parseColor(text: string): Rgb | null {
  return parseColorAlpha(text)?.rgb ?? null;
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('')}`;
}

function luminance([r, g, b]: Rgb): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * `color`, mixed toward white (on a dark background) or black (on a light one) just enough to reach
 * `ratio` against `background`; unchanged when it already does, or when either colour does not parse.
 */
export function readableOn(color: string, background: string, ratio: number): string {
  const parsed = parseColorAlpha(color);
  const bg = parseColor(background);
  if (!parsed || !bg) return color;
  // A translucent theme colour is taken opaque: VS Code's charts.orange inherits the find-match highlight,
  // #EA5C0055, a strong orange at a third (dark brown on a dark editor), meant for a background wash.
  const c = parsed.rgb;
  if (contrastRatio(c, bg) >= ratio) return parsed.alpha < 1 ? toHex(c) : color;
  const target: Rgb = luminance(bg) < 0.5 ? [255, 255, 255] : [0, 0, 0];
  for (let step = 1; step <= 20; step++) {
    const t = step / 20;
    const mixed = c.map((v, i) => v + (target[i]! - v) * t) as Rgb;
    if (contrastRatio(mixed, bg) >= ratio) return toHex(mixed);
  }
  return toHex(target);
}

/** Of two inks, the one that reads better on `fill`. */
export function inkOn(fill: string, dark: string, light: string): string {
  const f = parseColor(fill);
  const d = parseColor(dark);
  const l = parseColor(light);
  if (!f || !d || !l) return dark;
  return contrastRatio(f, d) >= contrastRatio(f, l) ? dark : light;
}

/** `color` without its alpha (as #rrggbb), or unchanged when it is opaque or does not parse. */
export function opaque(color: string): string {
  const parsed = parseColorAlpha(color);
  return parsed && parsed.alpha < 1 ? toHex(parsed.rgb) : color;
}
