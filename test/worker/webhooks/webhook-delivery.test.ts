import { describe, expect, it } from "vitest";
import { createKey } from "../helpers/api";
import { bodiesOf, orgWithEndpoint, waitFor } from "./webhook-helpers";

describe("webhook delivery end to end", () => {
  it("delivers a verified key.created to the org's endpoint when a key is created", async () => {
    const { owner, hook } = await orgWithEndpoint();
    const { key } = await createKey(owner);
    await waitFor(async () => (await hook.received()).length > 0, "key.created");
    const [received] = await hook.received();
    expect(received!.verified, received!.verifyError ?? "").toBe(true);
    const [body] = await bodiesOf(hook);
    expect(body!.type).toBe("key.created");
    expect((body!.data.key as { id: string }).id).toBe(key.id);
  });
});
