/**
 * Every string the element shows, per language (catalogues/*.ts, one chunk each: English,
 * German, French, Spanish), and the translator that fills them in. English defines the keys;
 * TypeScript holds every other language to exactly those keys (`Catalogue`), and
 * test/component/i18n.test.ts also fails when a sentence is empty or its placeholders differ
 * from English's. Add a language with a file in catalogues/ (copy one) and an entry in `LANGUAGES`.
 *
 * The module carries no language itself: an element fetches its locale's chunk before its first
 * render, so a page downloads the element and one language, whichever it is.
 *
 * Placeholders are filled by {@link translator}: `{name}` as given, numbers through
 * `Intl.NumberFormat`, and `{n, plural, one {# day} other {# days}}` through `Intl.PluralRules`.
 */
import type { English } from "./catalogues/en";

export type TermKey = keyof English;
export type Catalogue = Record<TermKey, string>;

/** The languages, by subtag: each a chunk of its own, fetched only by an element in that language. */
export const LANGUAGES: Record<string, () => Promise<{ default: Catalogue }>> = {
  en: () => import("./catalogues/en"),
  de: () => import("./catalogues/de"),
  fr: () => import("./catalogues/fr"),
  es: () => import("./catalogues/es"),
};

/** The catalogues loaded so far, by language subtag. */
const CATALOGUES: Record<string, Catalogue> = Object.create(null);
const loading: Record<string, Promise<void>> = Object.create(null);

/** The language whose words a locale gets: its own when there is a catalogue for it, else English. */
const languageOf = (requested: string) => {
  const lang = requested.toLowerCase().split(/[-_]/)[0]!;
  return Object.hasOwn(LANGUAGES, lang) ? lang : "en";
};

/**
 * Fetches the catalogue a locale needs when it is not loaded yet, and returns the promise of
 * that (the element renders once it settles); `undefined` when there is nothing to wait for. When
 * a language's chunk can't be fetched, English is fetched instead; a failed fetch is tried again
 * at the next call.
 *
 * @example
 * await loadLanguage("de-AT");
 * translator("de-AT").t("title"); // "API-Schlüssel"
 */
export function loadLanguage(requested: string): Promise<void> | undefined {
  const lang = languageOf(requested);
  if (CATALOGUES[lang]) return undefined;
  return (loading[lang] ??= LANGUAGES[lang]!().then(
    ({ default: catalogue }) => {
      CATALOGUES[lang] = catalogue;
      translators.clear();
    },
    () => {
      delete loading[lang];
      return lang === "en" ? undefined : loadLanguage("en");
    },
  ));
}

export type Values = Record<string, string | number | undefined>;

/** The element's words in one locale: `t` fills a term in, `locale` is what `Intl` formats with. */
export interface Translator {
  /** The locale for `Intl` and the content's `lang`: the requested one when its language's catalogue is loaded ("fr-CA"), else "en". */
  locale: string;
  t: (key: TermKey, values?: Values) => string;
}

const translators = new Map<string, Translator>();

/**
 * The terms of a BCP 47 locale: its language's catalogue ("fr-CA" → French) once
 * {@link loadLanguage} has loaded it, else English's (the keys themselves until that is loaded). Numbers in `{n}` are formatted with
 * `Intl.NumberFormat`, and `{n, plural, one {# day} other {# days}}` picks its form with `Intl.PluralRules` (`#` is the
 * formatted number; a missing form falls back to `other`).
 *
 * @example
 * translator("fr-CA").t("days", { n: 30 }); // "30 jours"
 */
export function translator(requested: string): Translator {
  let found = translators.get(requested);
  if (!found) {
    const lang = requested.toLowerCase().split(/[-_]/)[0]!;
    const own = CATALOGUES[lang];
    let locale = "en";
    try {
      locale = own ? (Intl.getCanonicalLocales(requested.replace(/_/g, "-"))[0] ?? lang) : "en";
    } catch {
      locale = lang; // a malformed region ("fr-??"): the language alone
    }
    const catalogue = own ?? CATALOGUES.en;
    const numbers = new Intl.NumberFormat(locale);
    const plurals = new Intl.PluralRules(locale);
    const t = (key: TermKey, values: Values = {}) =>
      (catalogue?.[key] ?? key).replace(/\{(\w+)(?:, plural, ((?:\w+ \{[^}]*\} ?)+))?\}/g, (_, name: string, forms?: string) => {
        const value = values[name] ?? "";
        if (typeof value !== "number") return value;
        const n = numbers.format(value);
        if (!forms) return n;
        const form: Record<string, string> = {};
        for (const [, category, text] of forms.matchAll(/(\w+) \{([^}]*)\}/g)) form[category!] = text!;
        return (form[plurals.select(value)] ?? form.other ?? "").replace(/#/g, n);
      });
    translators.set(requested, (found = { locale, t }));
  }
  return found;
}
