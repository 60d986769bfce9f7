/**
 * The `yyyy-mm-dd` local date of an instant, as a date input shows it.
 *
 * @example
 * localDate("2026-09-30T08:00:00Z"); // "2026-09-30" (in Europe)
 */
export function localDate(iso: string): string {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}
