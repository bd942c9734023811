import { isDeepStrictEqual } from 'node:util';

/**
 * Where two parsed JSON bodies first differ (a path such as `items.3.assignments`), or null when
 * they are equal. Key order is ignored (JSON objects are unordered); array order is not.
 */
export function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return `${path}: ${JSON.stringify(a)?.slice(0, 80)} ≠ ${JSON.stringify(b)?.slice(0, 80)}`;
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
    if (difference) return difference;
  }
  return `${path}: differs`;
}

/**
 * A live read names the moment it was computed (`asOf`, a timeline's last period end), which two
 * servers asked a few milliseconds apart cannot share; such stamps, within a minute of now, are
 * dropped before comparing. Every other field must match.
 */
export function withoutNowStamps(value: unknown, now = Date.now()): unknown {
  if (Array.isArray(value)) return value.map((item) => withoutNowStamps(item, now));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, field]) => !(key === 'asOf' && typeof field === 'string' && Math.abs(Date.parse(field) - now) < 60_000))
      .map(([key, field]) => [key, withoutNowStamps(field, now)]),
  );
}
