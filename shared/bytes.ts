// The one way a download size is written for people: the CLI's progress bar and model lists, and
// the panel's model installs.

/** Decimal units, as download sizes are usually quoted: `80134624` → `80.1 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}
