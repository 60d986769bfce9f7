import { describe, expect, it } from "vitest";
import { unsafePathReason } from "../../../worker/edge/upstream-path";

// Raw strings, as a client could put them on the request line: URL parsing (WHATWG, workerd,
// curl) would collapse many of these before the Worker sees them, so the rule is tested bare.
describe("unsafePathReason, over raw paths", () => {
  it.each([
    "/api/deals/42",
    "/api/deals",
    "/api/",
    "/api/search/100%25",
    "/api/files/report.v2.pdf",
    "/api/files/...",
    "/api/files/.hidden",
    "/api/files/..hidden",
    "/api/people/Jos%C3%A9",
    "/api/people/José",
    "/api/matrix;v=1/items",
    "/api/a%20b",
  ])("lets %s through", (path) => {
    expect(unsafePathReason(path)).toBeNull();
  });

  it.each([
    ["/api/files/a%2Fb", "encoded slash"],
    ["/api/files/a%2fb", "encoded slash"],
    ["/api/files/a%252Fb", "encoded slash"],
    ["/api/files/a%25252fb", "encoded slash"],
    ["/api/files/a%%32%46b", "encoded slash"],
    ["/api/x/..%2Fadmin", "encoded slash"],
    ["/api/x/%2e%2e%2fadmin", "encoded slash"],
    ["/api/files/a\\b", "backslash"],
    ["/api/files/..\\admin", "backslash"],
    ["/api/files/a%5Cb", "backslash"],
    ["/api/files/a%5cb", "backslash"],
    ["/api/files/a%255Cb", "backslash"],
    ["/api/files/a%00b", "NUL byte"],
    ["/api/files/a%2500b", "NUL byte"],
    ["/api/files/a\0b", "NUL byte"],
    ["/api/x/../admin", "dot segment"],
    ["/api/x/./admin", "dot segment"],
    ["/api/x/..", "dot segment"],
    ["/api/x/.", "dot segment"],
    ["/api/x/%2e%2e/admin", "dot segment"],
    ["/api/x/%2E%2E/admin", "dot segment"],
    ["/api/x/%2e%2E/admin", "dot segment"],
    ["/api/x/.%2e/admin", "dot segment"],
    ["/api/x/%2E./admin", "dot segment"],
    ["/api/x/%2e/admin", "dot segment"],
    ["/api/x/%252e%252e/admin", "dot segment"],
    ["/api/x/%252E./admin", "dot segment"],
    ["/api/x/..;/admin", "dot segment"],
    ["/api/x/..;jsessionid=1/admin", "dot segment"],
    ["/api/x/..%3b/admin", "dot segment"],
    ["/api/x/%c0%af", "invalid UTF-8"],
    ["/api/x/%c0%ae%c0%ae/admin", "invalid UTF-8"],
    ["/api/x/%ff", "invalid UTF-8"],
  ])("refuses %s (%s)", (path, reason) => {
    expect(unsafePathReason(path)).toBe(reason);
  });
});
