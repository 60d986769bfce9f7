// Long lists: 1,000 and 10,000 keys. Only the rows near the viewport are in the DOM, the table
// still says how many rows it has, and the keyboard reaches every row, the last one included.
// The list is served by a fetch stub: a real Worker caps a user's active keys far lower.
import { sendKeys } from "@web/test-runner-commands";
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import { RENDER_ALL_UP_TO } from "../../component/src/virtual-rows";
import type { ApiKey } from "../../component/src/types";
import { expect, expectAccessible, fakeKey, mount, shadow, stubFetch, until } from "./helpers";

function keys(count: number): ApiKey[] {
  return Array.from({ length: count }, (_, i) => fakeKey({ id: `key${String(i).padStart(13, "0")}`, name: `Integration ${i}` }));
}

function serve(list: ApiKey[]) {
  const body = JSON.stringify({ keys: list, nextCursor: null });
  return stubFetch((url) =>
    new URL(url).pathname === "/v1/keys"
      ? new Response(body, { headers: { "Content-Type": "application/json" } })
      : new Response(JSON.stringify({ status: 404, code: "not_found" }), { status: 404, headers: { "Content-Type": "application/problem+json" } }),
  );
}

const rows = (el: ApiKeysSettings) => [...shadow(el).querySelectorAll<HTMLTableRowElement>("tr[data-index]")];
/** Presses a key with Control held. */
async function withControl(key: string): Promise<void> {
  await sendKeys({ down: "Control" });
  await sendKeys({ press: key });
  await sendKeys({ up: "Control" });
}
const nextFrame = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));

/** Scrolls the page so the given fraction of the table is at the top of the viewport, and waits for the rows to follow. */
async function scrollTable(el: ApiKeysSettings, fraction: number): Promise<void> {
  const table = shadow(el).querySelector("table")!;
  const box = table.getBoundingClientRect();
  window.scrollTo(0, window.scrollY + box.top + box.height * fraction);
  await nextFrame();
  await el.updateComplete;
  await nextFrame();
  await el.updateComplete;
}

for (const count of [1_000, 10_000]) {
  describe(`a list of ${count.toLocaleString("en")} keys`, () => {
    let stub: ReturnType<typeof stubFetch> | null = null;
    afterEach(() => {
      stub?.restore();
      stub = null;
      window.scrollTo(0, 0);
    });

    it("renders only the rows near the viewport, and says how many rows the table has", async () => {
      stub = serve(keys(count));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      expect(rows(el).length, "rows in the DOM").to.be.within(5, 80);
      expect(shadow(el).querySelector("table")!.getAttribute("aria-rowcount")).to.equal(String(count + 1));
      expect(rows(el)[0]!.getAttribute("aria-rowindex")).to.equal("2");
      // The spacers keep the table as tall as all its rows: the scrollbar means the whole list.
      const rowHeight = rows(el)[1]!.getBoundingClientRect().top - rows(el)[0]!.getBoundingClientRect().top;
      const tableHeight = shadow(el).querySelector("tbody")!.getBoundingClientRect().height;
      expect(tableHeight / rowHeight).to.be.closeTo(count, count * 0.02);
      await expectAccessible(el, `${count} keys`);
    });

    it("follows the scrolling: the middle and the end of the list render when they are in view", async () => {
      stub = serve(keys(count));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      await scrollTable(el, 0.5);
      const middle = rows(el).map((row) => Number(row.dataset.index));
      expect(middle, "rows around the middle").to.include(Math.floor(count / 2));
      expect(rows(el).length).to.be.below(80);
      const inView = rows(el).find((row) => row.getBoundingClientRect().top >= 0)!;
      expect(Math.abs(Number(inView.dataset.index) - count / 2), "the row at the top of the viewport is the middle one").to.be.below(count * 0.01 + 2);
      await scrollTable(el, 1);
      await until(() => shadow(el).querySelector(`tr[data-index="${count - 1}"]`), "the last row");
      expect(shadow(el).querySelector(`tr[data-index="${count - 1}"] strong`)!.textContent).to.equal(`Integration ${count - 1}`);
    });

    it("reaches the last row from the keyboard (Ctrl+End), and steps back with ArrowUp", async () => {
      stub = serve(keys(count));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      shadow(el).querySelector<HTMLButtonElement>(`tr[data-index="0"] [part=revoke-button]`)!.focus();
      await sendKeys({ press: "ArrowDown" });
      await until(() => (shadow(el).activeElement as HTMLElement | null)?.dataset.index === "1", "row 2 focused");
      await withControl("End");
      await until(() => (shadow(el).activeElement as HTMLElement | null)?.dataset.index === String(count - 1), "the last row focused");
      const last = shadow(el).activeElement as HTMLElement;
      expect(last.getAttribute("aria-rowindex")).to.equal(String(count + 1));
      const box = last.getBoundingClientRect();
      expect(box.top >= 0 && box.bottom <= innerHeight, "the last row is in view").to.equal(true);
      await sendKeys({ press: "ArrowUp" });
      await until(() => (shadow(el).activeElement as HTMLElement | null)?.dataset.index === String(count - 2), "the row before the last");
      await withControl("Home");
      await until(() => (shadow(el).activeElement as HTMLElement | null)?.dataset.index === "0", "the first row again");
    });

    it("keeps the focus on the same key's button while Tab scrolls the window along", async () => {
      stub = serve(keys(count));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      shadow(el).querySelector<HTMLButtonElement>(`tr[data-index="0"] [part=revoke-button]`)!.focus();
      // Far enough that the window must move (more rows than it renders).
      for (let i = 0; i < 160; i++) await sendKeys({ press: "Tab" });
      await nextFrame();
      await el.updateComplete;
      const active = shadow(el).activeElement as HTMLElement;
      const row = active.closest<HTMLElement>("tr[data-index]")!;
      expect(row, "the focus is still in the table").to.not.equal(null);
      const name = row.querySelector("[part~=name] strong, [part~=name] button")!.textContent!.trim();
      expect(active.tagName, "a control of the row").to.equal("BUTTON");
      expect(active.getAttribute("aria-label") ?? active.textContent!.trim(), "the focused button belongs to its row").to.contain(name);
      expect(Number(row.dataset.index), "Tab moved down the list").to.be.above(30);
      expect(Number(rows(el)[0]!.dataset.index), "the rows above left the DOM").to.be.above(0);
    });

    it("lets go of the focus when the focused key scrolls out of the window, never leaving it on another key", async () => {
      stub = serve(keys(count));
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      shadow(el).querySelector<HTMLButtonElement>(`tr[data-index="0"] [part=revoke-button]`)!.focus();
      await scrollTable(el, 0.5);
      const active = shadow(el).activeElement as HTMLElement | null;
      if (active) expect(active.closest<HTMLElement>("tr")?.dataset.index, "still the first key").to.equal("0");
      expect(shadow(el).querySelector(`tr[data-index="0"]`), "the first row left the DOM").to.equal(null);
      expect(active, "nothing in the element has the focus").to.equal(null);
    });
  });
}

describe("a short list", () => {
  it(`renders every row up to ${RENDER_ALL_UP_TO} keys`, async () => {
    const stub = serve(keys(RENDER_ALL_UP_TO));
    try {
      const el = await mount({ token: "t", apiBase: "https://api.test", locale: "en" });
      await until(() => rows(el).length, "rows");
      expect(rows(el).length).to.equal(RENDER_ALL_UP_TO);
      expect(shadow(el).querySelector("tr.spacer")).to.equal(null);
    } finally {
      stub.restore();
    }
  });
});
