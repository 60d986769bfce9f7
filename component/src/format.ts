const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

/**
 * Dates and relative times in the element's locale, through `Intl`.
 *
 * @example
 * const f = new Formatter("de");
 * f.date("2026-03-01T00:00:00Z"); // "01.03.2026"
 * f.relative("2026-03-01T00:00:00Z", now); // "vor 3 Tagen"
 */
export class Formatter {
  private readonly dates: Intl.DateTimeFormat;
  private readonly times: Intl.DateTimeFormat;
  private readonly relatives: Intl.RelativeTimeFormat;

  constructor(readonly locale: string) {
    this.dates = new Intl.DateTimeFormat(locale, { dateStyle: "medium" });
    this.times = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
    this.relatives = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  }

  date(iso: string): string {
    return this.dates.format(new Date(iso));
  }

  dateTime(iso: string): string {
    return this.times.format(new Date(iso));
  }

  /** "3 days ago", "in 2 hours", "now"; falls back to seconds under a minute. */
  relative(iso: string, now: number): string {
    const delta = Date.parse(iso) - now;
    for (const [unit, ms] of UNITS) {
      if (Math.abs(delta) >= ms) return this.relatives.format(Math.trunc(delta / ms), unit);
    }
    return this.relatives.format(Math.trunc(delta / 1000), "second");
  }
}
