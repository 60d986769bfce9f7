import type { Formatter } from "./format";
import type { TermKey, Values } from "./terms";

/** What every view needs to render text: the terms, the formatter and the current time. */
export interface ViewContext {
  t: (key: TermKey, values?: Values) => string;
  fmt: Formatter;
  now: number;
}
