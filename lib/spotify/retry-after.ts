/**
 * Parses a `Retry-After` header into milliseconds: delta-seconds (what Spotify sends) or an
 * HTTP date. Missing, `0`, negative or unparsable → undefined, so the policy's default applies.
 */
export function parseRetryAfterMs(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const seconds = Number(text);
    return seconds > 0 && Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : undefined;
  }
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  const ms = date - now;
  return ms > 0 ? ms : undefined;
}
