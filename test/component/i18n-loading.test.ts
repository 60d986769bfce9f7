// A page of its own (web-test-runner gives every test file a fresh page), so no language chunk
// has been loaded yet: the first German element waits for its chunk and never shows English.
import { expect, fakeKey, shadow, stubFetch, until } from "./helpers";

describe("loading a language on demand", () => {
  it("renders a German element first in German, once its chunk has arrived", async () => {
    const stub = stubFetch(() => new Response(JSON.stringify({ keys: [fakeKey({ name: "CRM" })], nextCursor: null }), { headers: { "Content-Type": "application/json" } }));
    try {
      const titles: string[] = [];
      document.body.replaceChildren();
      const el = document.createElement("api-keys-settings");
      Object.assign(el, { token: "t", apiBase: "https://api.test", locale: "de-AT" });
      // Every text the heading ever shows, from the element's first render on.
      const seen = new MutationObserver(() => {
        const title = el.shadowRoot?.querySelector("[part=title]")?.textContent;
        if (title && titles.at(-1) !== title) titles.push(title);
      });
      document.body.append(el);
      seen.observe(el.shadowRoot!, { subtree: true, childList: true, characterData: true });
      await until(() => shadow(el).querySelector("[part=row]"), "row");
      seen.disconnect();
      expect(titles).to.deep.equal(["API-Schlüssel"]);
      expect(shadow(el).firstElementChild!.getAttribute("lang")).to.equal("de-AT");
      expect(shadow(el).querySelector("[part=create-button]")!.textContent).to.equal("Neuer API-Schlüssel");
    } finally {
      stub.restore();
    }
  });
});
