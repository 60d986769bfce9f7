import type { CSSResult, ReactiveControllerHost } from "lit";
import { loadLanguage, type TermsPart } from "./terms";

/** What a part fetched on demand exports, besides its views: the words it needs per language, and its styles. */
export interface PartModule {
  TERMS: TermsPart;
  STYLES: CSSResult[];
}

/**
 * A part of the element that is a chunk of its own (the create and edit forms, the details view,
 * the rotation wizard, the admins' webhooks section), fetched the first time it is needed,
 * together with its words in the element's language, its styles joining the element's (`adopt`);
 * so a page's first render downloads none of them. `get()` serves renders (the part once it is there, else it starts fetching it and the
 * host renders again when that settles); `load()` serves a click that opens it. A fetch that
 * fails leaves `failed` set until the next `load()` tries again.
 *
 * @example
 * private readonly details = new LazyPart(this, () => import("./lazy/details"), () => this.locale, adopt);
 * const module = await this.details.load();
 */
export class LazyPart<M extends PartModule> {
  /** The last fetch failed (the chunk or all of its words could not be fetched). */
  failed = false;
  private module: M | undefined;
  /** The locale whose words have been fetched (or, failing its own language's, English's). */
  private wordsFor: string | null = null;
  private pending: Promise<M> | undefined;
  /** Fetches that failed so far. */
  private failures = 0;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly importer: () => Promise<M>,
    private readonly locale: () => string,
    private readonly adopt: (styles: CSSResult[]) => void,
  ) {}

  /** The part with its words in the current locale, or undefined while they are fetched (a failed fetch is not retried here). */
  get(): M | undefined {
    if (this.module && this.wordsFor === this.locale()) return this.module;
    if (!this.failed) this.load().catch(() => undefined);
    return undefined;
  }

  /** Fetches the part and its words in the current locale (again, after a failure); resolves with the part. */
  load(): Promise<M> {
    const locale = this.locale();
    if (this.module && this.wordsFor === locale) return Promise.resolve(this.module);
    return (this.pending ??= (async () => {
      try {
        if (!this.module) {
          this.module = await this.fetchPart();
          this.adopt(this.module.STYLES);
        }
        const module = this.module;
        await loadLanguage(locale, module.TERMS);
        this.wordsFor = locale;
        this.failed = false;
        return module;
      } catch (error) {
        this.failed = true;
        this.failures++;
        throw error;
      } finally {
        this.pending = undefined;
        this.host.requestUpdate();
      }
    })());
  }

  /**
   * Imports the part. A browser remembers a module that failed to arrive, and a second import()
   * of it fails at once without a request; so a retry imports it again under a new URL when the
   * error names the chunk's (Chromium and Firefox do; elsewhere the user reloads the page).
   */
  private async fetchPart(): Promise<M> {
    try {
      return await this.importer();
    } catch (error) {
      const url = this.failures > 0 ? /\bhttps?:\/\/[^\s"']+?\.[jt]s\b/.exec(String((error as Error | undefined)?.message))?.[0] : undefined;
      if (!url || new URL(url).origin !== new URL(import.meta.url).origin) throw error;
      return (await import(/* @vite-ignore */ `${url}?retry=${this.failures}`)) as M;
    }
  }
}
