import * as entry from "../../component/src/index";
import { expect } from "./helpers";

// The element's surface, read from what ships: the built module and the chunks it fetches (whose
// templates keep their `part="…"` attributes) and the Custom Elements Manifest generated from the source
// (`npm run build:component`). A part the header does not list, or a member made public for a
// controller, fails here.

interface Member {
  kind: string;
  name: string;
  privacy?: string;
  static?: boolean;
}
interface Declaration {
  name: string;
  customElement?: boolean;
  members?: Member[];
  attributes?: { name: string }[];
  cssParts?: { name: string }[];
  events?: { name: string; type: { text: string } }[];
}

/** The documented API (README, "Attributes and properties"): the properties and load(). */
const PUBLIC = ["apiBase", "defaultExpiryDays", "getToken", "load", "locale", "theme", "token", "verifyInterval"];
const ATTRIBUTES = ["api-base", "default-expiry-days", "locale", "theme", "token", "verify-interval"];

/** The text of a built module and of every chunk it imports, statically or on demand, transitively. */
async function builtFiles(url: string, seen = new Set<string>()): Promise<string[]> {
  if (seen.has(url)) return [];
  seen.add(url);
  const text = await (await fetch(url)).text();
  const imported = [...text.matchAll(/(?:from|import\(?)\s*"(\.\.?\/[^"]+\.js)"/g)].map((m) => new URL(m[1]!, new URL(url, location.href)).pathname);
  return [text, ...(await Promise.all(imported.map((next) => builtFiles(next, seen)))).flat()];
}

async function element(): Promise<Declaration> {
  const manifest = (await (await fetch("/component/custom-elements.json")).json()) as { modules: { declarations?: Declaration[] }[] };
  return manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.customElement && d.name === "ApiKeysSettings")!;
}

describe("<api-keys-settings> contract (custom-elements.json)", () => {
  it("lists every part its templates use, the parts fetched on demand included, and no other", async () => {
    const bundle = await builtFiles("/component/site/component/api-keys-settings.js");
    expect(bundle.length, "the module and its chunks").to.be.greaterThan(5);
    const used = new Set(bundle.flatMap((text) => [...text.matchAll(/\bpart="([\w-]+)"/g)].map((m) => m[1]!)));
    const listed = (await element()).cssParts!.map((p) => p.name);
    expect(listed.length, "each part listed once").to.equal(new Set(listed).size);
    expect([...listed].sort()).to.deep.equal([...used].sort());
  });

  it("has the documented properties and load() as its only public members", async () => {
    const declaration = await element();
    const members = declaration.members!.filter((m) => (m.privacy ?? "public") === "public").map((m) => m.name);
    expect(members.sort()).to.deep.equal(PUBLIC);
    expect(declaration.attributes!.map((a) => a.name).sort()).to.deep.equal(ATTRIBUTES);
  });

  it("declares every event the module exports (api-key-updated included), each with its class, and no other", async () => {
    const exported = Object.entries(entry)
      .filter(([, value]) => typeof value === "function" && "eventName" in value)
      .map(([name, value]) => [(value as unknown as { eventName: string }).eventName, name]);
    const declared = (await element()).events!.map((e) => [e.name, e.type.text]);
    expect(exported.map(([event]) => event)).to.include("api-key-updated");
    expect(declared.sort()).to.deep.equal(exported.sort());
  });
});
