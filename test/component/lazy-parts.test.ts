// The parts beyond the first render are chunks fetched when first opened (component/src/lazy/).
// A page of its own (web-test-runner gives every test file one), so no part has been fetched yet.
import { executeServerCommand } from "@web/test-runner-commands";
import { asNewUser, button, createThroughApi, expect, expectAccessible, openDialog, shadow, until } from "./helpers";

/** The source files of the parts this page has requested so far. */
const partsFetched = () =>
  performance
    .getEntriesByType("resource")
    .map((entry) => new URL(entry.name).pathname)
    .filter((path) => path.startsWith("/component/src/lazy/"));

const failPath = (path: string, fail: boolean) => executeServerCommand("fail-path", { path, fail });

describe("<api-keys-settings> parts fetched on demand", () => {
  it("renders the list without fetching any part, and fetches the create form's when New API key is first clicked", async () => {
    const { el } = await asNewUser();
    expect(partsFetched(), "the first render").to.deep.equal([]);
    button(el, "New API key").click();
    await until(() => openDialog(el), "create dialog");
    expect(partsFetched()).to.deep.equal(["/component/src/lazy/key-forms.ts"]);
    await until(() => shadow(el).activeElement?.id === "key-name", "focus in the name field once the form is there");
    await expectAccessible(el, "create form fetched on demand");
  });

  it("says so, with Try again, when a part's chunk can't be fetched, and shows the part once it can", async () => {
    const path = "/component/src/lazy/details.ts";
    const { el, token } = await asNewUser();
    await createThroughApi(token, "Billing sync");
    await el.load();
    await until(() => shadow(el).querySelector("[part=row]"), "row");
    await failPath(path, true);
    try {
      button(el, "Billing sync").click();
      const dialog = shadow(el).querySelector("dialog")!;
      await until(() => dialog.querySelector("[role=alert]"), "the error");
      expect(dialog.open).to.equal(true);
      expect(dialog.querySelector("h3")!.textContent).to.equal("This could not be loaded.");
      expect(dialog.querySelector("[role=alert]")!.textContent).to.equal("Check your connection and try again. If it keeps failing, reload the page.");
      await until(() => shadow(el).activeElement?.textContent === "Try again", "focus on Try again");
      await expectAccessible(el, "a part that could not be fetched");
    } finally {
      await failPath(path, false);
    }
    button(el, "Try again").click();
    await until(() => openDialog(el)?.querySelector("#usage-window"), "the details view after trying again");
    expect(openDialog(el)!.querySelector("h3")!.textContent).to.equal("Billing sync");
    button(el, "Close").click();
    await until(() => !shadow(el).querySelector("dialog")!.open, "closed");
    expect(shadow(el).activeElement?.textContent, "focus back on the name").to.contain("Billing sync");
  });
});
