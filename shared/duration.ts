// The one way a duration is written for people: time left in the CLI's progress bar and the
// panel, measured job times, and the speed hints of the backbone presets.

/**
 * `0.2` → "1 s", `42` → "42 s", `89` → "89 s", `90` → "2 min", `150` → "3 min", `3300` → "55 min",
 * `3725` → "1 h 2 min", `7200` → "2 h". Under 90 s seconds are worth reading; above, minutes
 * are enough for an estimate. Never "0 s": something that took or takes time reads as at least
 * a second. Not a finite number → "" (the caller shows nothing).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '';
  const s = Math.max(0, seconds);
  if (s < 90) return `${Math.max(1, Math.round(s))} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
