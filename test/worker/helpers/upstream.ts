import { vi } from "vitest";

/**
 * Stands in for the backend behind `UPSTREAM_URL`: records every request the Worker sends out
 * (the outbound `fetch`, the one thing a test cannot reach for real) and answers with `answer`.
 * Restore with `vi.restoreAllMocks()`.
 *
 * @example
 * const seen = captureUpstream();
 * await useKey(secret, "/api/deals", { env: { UPSTREAM_URL: "https://backend.internal/v2" } });
 * expect(seen[0]!.headers.get("X-Api-User-Id")).toBe(alice.userId);
 */
export function captureUpstream(answer: () => Response = () => Response.json({ ok: true }, { headers: { "X-Upstream": "yes" } })): Request[] {
  const seen: Request[] = [];
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    seen.push(new Request(input, init));
    return answer();
  });
  return seen;
}
