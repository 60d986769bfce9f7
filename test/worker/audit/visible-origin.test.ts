import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../../../worker/audit/audit-store";
import { type AuditReader, visibleOrigin } from "../../../worker/audit/visible-origin";

const ORIGIN = { ip: "203.0.113.7", userAgent: "test-agent/1.0" };
const HIDDEN = { ip: null, userAgent: null };

function event(actor: AuditRecord["actor"], ownerId = "member"): AuditRecord {
  return { id: "evt_1", orgId: "org_a", at: 0, action: "key.revoked", actor, ownerId, keyId: "k1", origin: ORIGIN };
}

const member: AuditReader = { orgId: "org_a", userId: "member", isAdmin: false };
const orgAdmin: AuditReader = { orgId: "org_a", userId: "boss", isAdmin: true };

describe("visibleOrigin", () => {
  it("gives a member the origin of an event they performed", () => {
    expect(visibleOrigin(event({ type: "user", id: "member" }), member)).toEqual(ORIGIN);
  });

  it("hides the origin from a member when another user acted on their key", () => {
    expect(visibleOrigin(event({ type: "user", id: "boss" }), member)).toEqual(HIDDEN);
  });

  it("hides the origin from a member when the admin API acted, even under an id equal to theirs", () => {
    expect(visibleOrigin(event({ type: "admin_api", id: "member" }), member)).toEqual(HIDDEN);
  });

  it("gives an org admin the origin of every event of their org", () => {
    expect(visibleOrigin(event({ type: "user", id: "member" }), orgAdmin)).toEqual(ORIGIN);
    expect(visibleOrigin(event({ type: "admin_api", id: "admin_api" }), orgAdmin)).toEqual(ORIGIN);
  });

  it("hides the origin of another org's event, even from its admin or the same user id", () => {
    const foreign = { ...event({ type: "user", id: "member" }), orgId: "org_b" };
    expect(visibleOrigin(foreign, orgAdmin)).toEqual(HIDDEN);
    expect(visibleOrigin(foreign, member)).toEqual(HIDDEN);
  });
});
