// The time axis's ticks: round clock times, as many as fit the chart (pure, so it is tested in Node).

const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map((s) => s * 1000);

/** Room for one clock label ("12:34:56" and a gap) on the time axis, in CSS pixels. */
const TICK_LABEL_PX = 72;

/** How many time labels fit an axis `width` pixels wide: 2 to 6. */
export function ticksThatFit(width: number): number {
  return width > 0 ? Math.max(2, Math.min(6, Math.floor(width / TICK_LABEL_PX))) : 6;
}

/** At most `most` ticks at whole multiples of a round step (local clock: time zones are whole minutes). */
export function clockTicks(min: number, max: number, most = 6): number[] {
  const span = max - min;
  if (!(span > 0)) return [];
  const step = TICK_STEPS_MS.find((s) => span / s <= most) ?? TICK_STEPS_MS[TICK_STEPS_MS.length - 1]!;
  const offset = new Date(min).getTimezoneOffset() * 60_000;
  const ticks: number[] = [];
  for (let t = Math.ceil((min - offset) / step) * step + offset; t <= max; t += step) ticks.push(t);
  return ticks;
}
