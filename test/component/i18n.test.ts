import type { ApiKeysErrorEvent } from "../../component/src/events";
import { CODE_TERMS } from "../../component/src/problem-text";
import { DIALOG_TERMS } from "../../component/src/catalogues/dialogs";
import { WEBHOOK_TERMS } from "../../component/src/catalogues/webhooks";
import { LANGUAGES, loadLanguage, type TermKey, type TermsPart, translator } from "../../component/src/terms";
import { button, expect, expectAccessible, fakeKey, mount, openDialog, shadow, stubFetch, until } from "./helpers";

const DAY = 86_400_000;
/** The parts of the words: the first render's, the dialogs', the webhooks section's; each a chunk per language. */
const PARTS: Record<string, TermsPart> = { "first render": LANGUAGES, dialogs: DIALOG_TERMS, webhooks: WEBHOOK_TERMS };
type Words = Partial<Record<TermKey, string>>;
/** Every language's catalogue of every part, each read from its own chunk. */
const CATALOGUES: Record<string, Record<string, Words>> = {};
/** Every language's words, the parts merged. */
const MERGED: Record<string, Words> = {};
let ENGLISH: TermKey[] = [];
before(async () => {
  for (const [part, languages] of Object.entries(PARTS)) {
    CATALOGUES[part] = {};
    for (const [lang, load] of Object.entries(languages)) {
      CATALOGUES[part][lang] = (await load()).default;
      Object.assign((MERGED[lang] ??= {}), CATALOGUES[part][lang]);
      await loadLanguage(lang, languages);
    }
  }
  ENGLISH = Object.keys(MERGED.en!) as TermKey[];
});
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)[},]/g)].map((m) => m[1]).sort();
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": status < 300 ? "application/json" : "application/problem+json" } });

describe("localisation", () => {
  it("has every language of every part: en, de, fr, es", () => {
    for (const part of Object.keys(PARTS)) expect(Object.keys(CATALOGUES[part]!).sort(), part).to.deep.equal(["de", "en", "es", "fr"]);
  });

  it("has no key in two parts", () => {
    const keys = Object.values(CATALOGUES).flatMap((languages) => Object.keys(languages.en!));
    expect(keys.length).to.equal(new Set(keys).size);
  });

  it("has nothing more to load once a language's chunk has arrived", () => {
    expect(loadLanguage("en")).to.equal(undefined);
    expect(loadLanguage("ja"), "a language without a catalogue uses English's").to.equal(undefined);
    expect(loadLanguage("de-CH"), "a regional variant uses its language's").to.equal(undefined);
  });

  for (const lang of Object.keys(LANGUAGES).filter((lang) => lang !== "en")) {
    it(`${lang}: has a sentence for every English key of each part, in that part, and no more`, () => {
      for (const [part, languages] of Object.entries(CATALOGUES)) {
        expect(Object.keys(languages[lang]!).sort(), `${lang}'s keys of ${part}`).to.deep.equal(Object.keys(languages.en!).sort());
      }
      const catalogue = MERGED[lang]!;
      const empty = ENGLISH.filter((key) => typeof catalogue[key] !== "string" || !catalogue[key].trim());
      expect(empty, `${lang} lacks these keys`).to.deep.equal([]);
    });

    it(`${lang}: every sentence has English's placeholders`, () => {
      const catalogue = MERGED[lang]!;
      const differing = ENGLISH.filter((key) => placeholders(catalogue[key]!).join() !== placeholders(MERGED.en![key]!).join());
      expect(differing, `${lang}: placeholders differ from English`).to.deep.equal([]);
    });
  }

  it("gives every plural an `other` form", () => {
    for (const [lang, catalogue] of Object.entries(MERGED)) {
      for (const [key, text] of Object.entries(catalogue)) {
        if (text.includes(", plural,")) expect(text, `${lang}.${key}`).to.match(/ other \{[^}]*\}\}/);
      }
    }
  });

  it("has a catalogue sentence for every problem code in the README's Errors table", async () => {
    const readme = await (await fetch("/README.md")).text();
    const table = readme.slice(readme.indexOf("### Errors"), readme.indexOf("### API reference"));
    const codes = [...table.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!).filter((code) => code !== "application");
    expect(codes.length, "codes found in the README").to.be.greaterThan(20);
    expect(codes.filter((code) => !CODE_TERMS[code])).to.deep.equal([]);
    // Errors show anywhere, the list included: their sentences are words of the first render.
    for (const key of Object.values(CODE_TERMS)) expect(Object.keys(CATALOGUES["first render"]!.en!)).to.include(key);
  });

  it("resolves regional variants to their language and anything else to English", () => {
    expect(translator("fr-CA").t("title")).to.equal("Clés API");
    expect(translator("fr-CA").locale).to.equal("fr-CA");
    expect(translator("es_MX").t("title")).to.equal("Claves de API");
    expect(translator("DE-at").t("title")).to.equal("API-Schlüssel");
    expect(translator("ja-JP").t("title")).to.equal("API keys");
    expect(translator("ja-JP").locale, "dates in an English sentence are English").to.equal("en");
    expect(translator("").t("title")).to.equal("API keys");
    expect(translator("constructor").t("title")).to.equal("API keys");
    expect(translator("fr-!!").t("title"), "a malformed region").to.equal("Clés API");
  });

  it("formats counts and picks plural forms through Intl", () => {
    expect(translator("en").t("days", { n: 1 })).to.equal("1 day");
    expect(translator("en").t("days", { n: 1000 })).to.equal("1,000 days");
    expect(translator("de").t("days", { n: 1 })).to.equal("1 Tag");
    expect(translator("de").t("days", { n: 1000 })).to.equal("1.000 Tage");
    expect(translator("fr").t("days", { n: 1 })).to.equal("1 jour");
    expect(translator("fr").t("days", { n: 30 })).to.equal("30 jours");
    expect(translator("es").t("graceHours", { n: 1 })).to.equal("1 hora más");
    expect(translator("es").t("graceHours", { n: 24 })).to.equal("24 horas más");
    expect(translator("en").t("graceHours", { n: 1 })).to.equal("1 more hour");
    expect(translator("fr").t("stepOf", { n: 2, total: 4 })).to.equal("Étape 2 sur 4");
    expect(translator("en").t("revokeTitle", { name: "{n}" }), "a name is never parsed").to.equal("Revoke “{n}”?");
    expect(translator("fr").t("activeCount", { n: 1, max: 3 })).to.equal("Vous avez 1 clé active sur 3.");
    expect(translator("fr").t("activeCount", { n: 2, max: 3 })).to.equal("Vous avez 2 clés actives sur 3.");
  });

  it("names the key in a pause's announcement as in the other announcements (never an adjective agreeing with its name)", () => {
    expect(translator("fr").t("pausedAnnounce", { name: "Export" })).to.equal("La clé Export a été mise en pause.");
    expect(translator("fr").t("resumedAnnounce", { name: "Export" })).to.equal("La clé Export a été réactivée.");
    expect(translator("es").t("pausedAnnounce", { name: "Export" })).to.equal("Se ha pausado la clave Export.");
    expect(translator("es").t("resumedAnnounce", { name: "Export" })).to.equal("Se ha reanudado la clave Export.");
  });

  describe("in the element", () => {
    let stub: ReturnType<typeof stubFetch> | null = null;
    afterEach(() => {
      stub?.restore();
      stub = null;
    });

    it("speaks French for fr-CA, with Intl dates, relative times and plural hints", async () => {
      const now = Date.now();
      stub = stubFetch(() =>
        json({ keys: [fakeKey({ createdAt: new Date(now - 100 * DAY).toISOString(), lastUsedAt: new Date(now - 3 * DAY).toISOString() })], nextCursor: null }),
      );
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "fr-CA" });
      await until(() => shadow(el).querySelector("[part=row]"), "row");
      expect(shadow(el).querySelector("[part=title]")!.textContent).to.equal("Clés API");
      expect(shadow(el).firstElementChild!.getAttribute("lang"), "the content says its language").to.equal("fr-CA");
      expect(shadow(el).textContent).to.contain("il y a 3 jours");
      expect(shadow(el).querySelector("[part=hint]")!.textContent).to.equal("À renouveler\u00a0: créée il y a plus de 90 jours");
      await expectAccessible(el, "French list");
      el.locale = "es-MX";
      await el.updateComplete;
      expect(shadow(el).querySelector("[part=title]")!.textContent).to.equal("Claves de API");
      expect(shadow(el).textContent).to.contain("hace 3 días");
      el.locale = "ja";
      await el.updateComplete;
      expect(shadow(el).querySelector("[part=title]")!.textContent).to.equal("API keys");
      expect(shadow(el).firstElementChild!.getAttribute("lang"), "English text is marked English").to.equal("en");
      expect(shadow(el).textContent).to.contain("3 days ago");
    });

    it("names grace periods and steps through Intl in the rotation wizard", async () => {
      stub = stubFetch(() => json({ keys: [fakeKey({ name: "CRM" })], nextCursor: null }));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "es" });
      await until(() => shadow(el).querySelector("[part=row]"), "row");
      button(el, "Rotar CRM").click();
      await until(() => openDialog(el), "wizard");
      expect(shadow(el).querySelector("[part=wizard-step]")!.textContent).to.contain("Paso 1 de 4");
      const options = [...shadow(el).querySelectorAll("#grace option")].map((o) => o.textContent);
      expect(options).to.deep.equal(["Hasta que la revoque", "1 hora más", "24 horas más", "7 días más"]);
      await expectAccessible(el, "Spanish wizard");
    });

    it("shows the catalogue's sentence for a known problem code, and the server's detail only for an unknown one", async () => {
      let code = "active_key_limit";
      stub = stubFetch((_url, init) =>
        init?.method === "POST"
          ? json({ status: 409, code, detail: "Server wording." }, 409)
          : json({ keys: [fakeKey({ name: "CRM" })], nextCursor: null }),
      );
      const errors: ApiKeysErrorEvent[] = [];
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "de" });
      el.addEventListener("api-keys-error", (e) => errors.push(e as ApiKeysErrorEvent));
      await until(() => shadow(el).querySelector("[part=row]"), "row");
      const tryCreate = async () => {
        button(el, "Neuer API-Schlüssel").click();
        await until(() => shadow(el).querySelector("#key-name"), "create dialog");
        const name = shadow(el).querySelector<HTMLInputElement>("#key-name")!;
        name.value = "Zapier";
        name.dispatchEvent(new Event("input"));
        button(el, "Schlüssel erstellen").click();
        await until(() => shadow(el).querySelector("dialog [role=alert]"), "form error");
        return shadow(el).querySelector("dialog [role=alert]")!.textContent;
      };
      expect(await tryCreate()).to.equal("Sie haben die Höchstzahl aktiver Schlüssel erreicht. Widerrufen Sie zuerst einen.");
      await expectAccessible(el, "German create refused");
      button(el, "Abbrechen").click();
      await until(() => !shadow(el).querySelector("dialog[open]"), "closed");
      code = "something_new";
      expect(await tryCreate()).to.equal("Server wording.");
      expect(errors.map((e) => [e.code, e.message])).to.deep.equal([
        ["active_key_limit", "Sie haben die Höchstzahl aktiver Schlüssel erreicht. Widerrufen Sie zuerst einen."],
        ["something_new", "Server wording."],
      ]);
    });
  });
});
