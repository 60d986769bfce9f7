/**
 * Every string the element shows, per language and per part, and the translator that fills them
 * in. The words of the first render are one chunk per language (catalogues/en.ts, de, fr, es);
 * the words of the parts fetched on demand are chunks of their own, fetched with their part:
 * the create, edit, details and rotation dialogs (catalogues/*-dialogs.ts, listed in
 * catalogues/dialogs.ts) and the admins' webhooks (catalogues/*-webhooks.ts, in
 * catalogues/webhooks.ts). English defines each part's keys; TypeScript holds every other
 * language to exactly those keys (`Catalogue`), and test/component/i18n.test.ts also fails when a
 * sentence is empty or its placeholders differ from English's. Add a language with a file per
 * part (copy one) and an entry in `LANGUAGES` and in each part's list.
 *
 * The module carries no language itself: an element fetches its locale's chunk before its first
 * render, so a page downloads the element and one language, whichever it is.
 *
 * Placeholders are filled by {@link translator}: `{name}` as given, numbers through
 * `Intl.NumberFormat`, and `{n, plural, one {# day} other {# days}}` through `Intl.PluralRules`.
 */
import type { English } from "./catalogues/en";
import type { EnglishDialogs } from "./catalogues/en-dialogs";
import type { EnglishWebhooks } from "./catalogues/en-webhooks";

export type TermKey = keyof English | keyof EnglishDialogs | keyof EnglishWebhooks;
/** One language's words of one part: exactly the keys of that part's English (the first render's by default). */
export type Catalogue<E = English> = Record<keyof E, string>;
/** One language's words of the create, edit, details and rotation dialogs. */
export type DialogCatalogue = Catalogue<EnglishDialogs>;
/** One language's words of the webhooks section. */
export type WebhookCatalogue = Catalogue<EnglishWebhooks>;
/** A part's catalogues by language subtag, each fetched on demand (a chunk of its own). */
export type TermsPart = Record<string, () => Promise<{ default: Partial<Record<TermKey, string>> }>>;

/** The words of the first render, by language subtag: each a chunk of its own, fetched only by an element in that language. */
export const LANGUAGES: TermsPart = {
  en: () => import("./catalogues/en"),
  de: () => import("./catalogues/de"),
  fr: () => import("./catalogues/fr"),
  es: () => import("./catalogues/es"),
};

/** The words loaded so far, by language subtag (the parts merged). */
const CATALOGUES: Record<string, Partial<Record<TermKey, string>>> = Object.create(null);
/** The languages whose first-render words are loaded: only they speak in their own locale. */
const spoken = new Set<string>();
/** Per part and language: loaded (true), or the fetch under way. */
const loads = new WeakMap<TermsPart, Record<string, Promise<void> | true>>();

/** The language whose words a locale gets: its own when there is a catalogue for it, else English. */
const languageOf = (requested: string) => {
  const lang = requested.toLowerCase().split(/[-_]/)[0]!;
  return Object.hasOwn(LANGUAGES, lang) ? lang : "en";
};

/**
 * Fetches a part's words for a locale when they are not loaded yet (the first render's words by
 * default), and returns the promise of that; `undefined` when there is nothing to wait for. When
 * a language's chunk can't be fetched, English's is fetched instead; a failed fetch is tried again
 * at the next call. The first render's words always resolve (without English the keys show); a
 * part whose English can't be fetched either rejects, so the part shows its error.
 *
 * @example
 * await loadLanguage("de-AT");
 * translator("de-AT").t("title"); // "API-Schlüssel"
 * await loadLanguage("de-AT", DIALOG_TERMS); // the dialogs' words too
 */
export function loadLanguage(requested: string, part: TermsPart = LANGUAGES): Promise<void> | undefined {
  const lang = languageOf(requested);
  let state = loads.get(part);
  if (!state) loads.set(part, (state = Object.create(null) as Record<string, Promise<void> | true>));
  const found = state[lang];
  if (found === true) return undefined;
  return (state[lang] = found ?? part[lang]!().then(
    ({ default: catalogue }) => {
      Object.assign((CATALOGUES[lang] ??= {}), catalogue);
      if (part === LANGUAGES) spoken.add(lang);
      state[lang] = true;
      translators.clear();
    },
    (error: unknown) => {
      delete state[lang];
      if (lang !== "en") return loadLanguage("en", part);
      if (part !== LANGUAGES) throw error;
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
 * {@link loadLanguage} has loaded it, else English's (the keys themselves until that is loaded); a
 * word of a part whose own language could not be fetched is English's. Numbers in `{n}` are formatted with
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
    const own = spoken.has(lang) ? CATALOGUES[lang] : undefined;
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
      (catalogue?.[key] ?? CATALOGUES.en?.[key] ?? key).replace(/\{(\w+)(?:, plural, ((?:\w+ \{[^}]*\} ?)+))?\}/g, (_, name: string, forms?: string) => {
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
