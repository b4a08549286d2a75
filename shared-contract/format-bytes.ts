/**
 * A byte count as people read it, in binary units: "512 B", "1.5 KiB",
 * "3.2 GiB". The one convention for sizes everywhere — CLI output, health
 * details and the screens — so "1.5 KiB" in `nova-db backups` is the same
 * amount the Backups screen shows. No number (null, NaN) reads "—".
 */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
