// The webhooks section of an admin's element, against the real Worker (its endpoints, and
// deliveries through the local Queues to a receiver on the test server).
import type { ApiKeysSettings } from "../../component/src/api-keys-settings";
import {
  asNewUser,
  button,
  callApi,
  createThroughApi,
  expect,
  expectAccessible,
  mount,
  openDialog,
  shadow,
  until,
  WORKER,
} from "./helpers";

const ADMIN = ["api_keys:admin", "contacts:read"];
/** The test server answers deliveries here with the status in the path (web-test-runner.config.mjs). */
const receiver = (status: number) => `${location.origin}/webhook-receiver/${status}`;
const section = (el: ApiKeysSettings) => shadow(el).querySelector<HTMLElement>("[part=webhooks]");
const endpoints = (el: ApiKeysSettings) => [...shadow(el).querySelectorAll<HTMLElement>("[part=endpoint]")];
const announced = (el: ApiKeysSettings) => shadow(el).querySelector("[role=status][aria-live]")!.textContent!.trim();
const field = (el: ApiKeysSettings, id: string) => shadow(el).querySelector<HTMLInputElement>(`#${id}`)!;
const errorOf = (el: ApiKeysSettings, id: string) => shadow(el).querySelector(`#${id}-error`)!.textContent!.trim();
/** The paths this page has requested so far. */
const requested = () => performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname);

function type(el: ApiKeysSettings, id: string, value: string): void {
  field(el, id).value = value;
  field(el, id).dispatchEvent(new Event("input"));
}

interface Endpoint {
  id: string;
  url: string;
  enabled: boolean;
  events: string[];
}

describe("<api-keys-settings> webhooks in admin mode, against the real Worker", () => {
  it("never shows nor fetches the webhooks section for a member", async () => {
    const { el } = await asNewUser(["contacts:read"]);
    await until(() => requested().includes("/v1/me"), "GET /v1/me answered");
    await el.updateComplete;
    expect(section(el)).to.equal(null);
    expect(requested().filter((path) => path.startsWith("/v1/webhooks") || path.startsWith("/component/src/lazy/webhooks"))).to.deep.equal([]);
  });

  it("shows an admin the org's webhooks section, empty at first", async () => {
    const { el } = await asNewUser(ADMIN);
    await until(() => section(el)?.textContent?.includes("No endpoints yet."), "the empty section");
    expect(section(el)!.querySelector("h2")!.textContent).to.equal("Webhooks");
    expect(requested()).to.include("/v1/webhooks");
    await expectAccessible(el, "the empty webhooks section");
  });

  it("adds an endpoint (refusals next to their field, the secret shown once), disables, enables and deletes it", async () => {
    const { el, token } = await asNewUser(ADMIN);
    await until(() => section(el)?.textContent?.includes("No endpoints yet."), "the empty section");
    button(el, "Add endpoint").click();
    await until(() => openDialog(el)?.querySelector("#endpoint-url"), "the form");
    await until(() => shadow(el).activeElement?.id === "endpoint-url", "focus on the URL");
    const boxes = [...openDialog(el)!.querySelectorAll<HTMLInputElement>("input[type=checkbox]")];
    expect(boxes.map((box) => box.checked), "every event by default").to.deep.equal(Array(11).fill(true));

    const submit = () => [...openDialog(el)!.querySelectorAll("button")].find((b) => b.type === "submit")!.click();
    submit();
    await until(() => errorOf(el, "endpoint-url"), "the form's refusal");
    expect(errorOf(el, "endpoint-url")).to.equal("Enter a URL such as https://hooks.example.com/api-keys.");
    for (const box of boxes) {
      box.checked = false;
      box.dispatchEvent(new Event("change"));
    }
    type(el, "endpoint-url", "https://10.0.0.1/hooks");
    submit();
    await until(() => errorOf(el, "endpoint-events"), "no event chosen");
    expect(errorOf(el, "endpoint-events")).to.equal("Choose at least one event.");
    boxes[0]!.checked = true;
    boxes[0]!.dispatchEvent(new Event("change"));
    submit();
    await until(() => errorOf(el, "endpoint-url").startsWith("The URL must not point at a private"), "the Worker's refusal of a private address");
    expect(field(el, "endpoint-url").getAttribute("aria-invalid")).to.equal("true");
    expect((await callApi<{ endpoints: Endpoint[] }>(token, "GET", "/v1/webhooks")).body.endpoints, "nothing stored").to.deep.equal([]);
    await expectAccessible(el, "the endpoint form with refusals");

    for (const box of boxes) {
      box.checked = true;
      box.dispatchEvent(new Event("change"));
    }
    type(el, "endpoint-url", receiver(204));
    type(el, "endpoint-description", "CRM sync");
    submit();
    await until(() => openDialog(el)?.querySelector("#endpoint-secret"), "the signing secret");
    expect(openDialog(el)!.querySelector("#endpoint-secret")!.textContent).to.match(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(shadow(el).querySelector("dialog")!.getAttribute("closedby"), "only I have stored it closes it").to.equal("none");
    await until(() => announced(el) === `The endpoint ${receiver(204)} was added.`, "announcement");
    await expectAccessible(el, "the signing secret");
    button(el, "I have stored it").click();
    await until(() => !shadow(el).querySelector("dialog")!.open, "closed");
    expect(shadow(el).querySelector("#endpoint-secret"), "the secret is gone from the DOM").to.equal(null);
    expect(shadow(el).activeElement?.getAttribute("part")).to.equal("add-endpoint-button");

    const [item] = endpoints(el);
    expect(item!.textContent).to.contain(receiver(204)).and.contain("Enabled").and.contain("All events").and.contain("CRM sync");
    const [stored] = (await callApi<{ endpoints: Endpoint[] }>(token, "GET", "/v1/webhooks")).body.endpoints;
    expect(stored!.events).to.have.length(11);

    button(el, `Disable ${receiver(204)}`).click();
    await until(() => endpoints(el)[0]!.textContent!.includes("Disabled"), "disabled");
    await until(() => announced(el) === `The endpoint ${receiver(204)} was disabled.`, "announcement");
    expect((await callApi<{ endpoints: Endpoint[] }>(token, "GET", "/v1/webhooks")).body.endpoints[0]!.enabled).to.equal(false);
    button(el, `Enable ${receiver(204)}`).click();
    await until(() => endpoints(el)[0]!.textContent!.includes("Enabled"), "enabled again");
    await expectAccessible(el, "a listed endpoint");

    button(el, `Delete ${receiver(204)}`).click();
    await until(() => openDialog(el)?.textContent?.includes("Delete this endpoint?"), "the confirmation");
    await until(() => shadow(el).activeElement?.textContent === "Cancel", "Cancel focused");
    await expectAccessible(el, "the delete confirmation");
    button(el, "Delete endpoint").click();
    await until(() => endpoints(el).length === 0, "deleted");
    await until(() => announced(el) === `The endpoint ${receiver(204)} was deleted.`, "announcement");
    expect((await callApi<{ endpoints: Endpoint[] }>(token, "GET", "/v1/webhooks")).body.endpoints).to.deep.equal([]);
    expect(shadow(el).activeElement?.getAttribute("part"), "focus on Add endpoint").to.equal("add-endpoint-button");
  });

  it("lists an endpoint's deliveries with their status and last response, and resends a failed one", async function () {
    this.timeout(90_000);
    const { token } = await asNewUser(ADMIN);
    const created = await callApi<Endpoint>(token, "POST", "/v1/webhooks", { url: receiver(500), events: ["key.created"] });
    expect(created.status).to.equal(201);
    await createThroughApi(token, "Triggers a delivery");
    const el = await mount({ apiBase: WORKER, token }); // signs in again: the section lists the endpoint
    await until(() => endpoints(el).length === 1, "the endpoint");

    button(el, `Deliveries to ${receiver(500)}`).click();
    const panel = () => shadow(el).querySelector<HTMLElement>("[part=deliveries]");
    await until(() => panel(), "the panel");
    expect(button(el, `Deliveries to ${receiver(500)}`).getAttribute("aria-expanded")).to.equal("true");
    // The receiver answers 500: the delivery retries (WEBHOOK_RETRY_DELAYS 1,1,2 s locally), then fails.
    const deadline = performance.now() + 60_000;
    while (!panel()?.querySelector("[part=resend-button]")) {
      if (performance.now() > deadline) throw new Error(`no failed delivery: ${panel()?.textContent}`);
      button(el, `Refresh the deliveries to ${receiver(500)}`).click();
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const row = panel()!.querySelector("tbody tr")!;
    const cells = [...row.querySelectorAll("td")].map((td) => td.textContent!.trim());
    expect(cells.slice(0, 2)).to.deep.equal(["key.created", "Failed"]);
    expect(Number(cells[2])).to.be.greaterThan(1);
    expect(cells[3]).to.equal("500");
    await expectAccessible(el, "a failed delivery");

    panel()!.querySelector<HTMLButtonElement>("[part=resend-button]")!.click();
    await until(() => announced(el) === "The key.created delivery was queued again.", "announcement");
    await until(() => !panel()!.querySelector("[part=resend-button]"), "queued again");
    expect(panel()!.querySelector("tbody tr td:nth-child(2)")!.textContent!.trim()).to.match(/^(Pending|Retrying)$/);
  });
});
