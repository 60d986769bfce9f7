import type { Formatter } from "./format";
import type { TermKey } from "./terms";

/** What every view needs to render text: the terms, the formatter and the current time. */
export interface ViewContext {
  t: (key: TermKey, values?: Record<string, string | number>) => string;
  fmt: Formatter;
  now: number;
}
