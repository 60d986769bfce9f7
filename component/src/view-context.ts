import type { Formatter } from "./format";
import type { TermKey, Values } from "./terms";

/** What every view needs to render text: the terms, the formatter, the language and the current time. */
export interface ViewContext {
  t: (key: TermKey, values?: Values) => string;
  fmt: Formatter;
  /** The BCP 47 locale the text is in (the content's `lang`). */
  lang: string;
  now: number;
}
