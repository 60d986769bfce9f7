import type { ApiClient } from "./api-client";
import type { ApiKey, OrgPolicy } from "./types";
import { type CreateState, defaultExpiry } from "./views/create-view";

/** Pages of active keys read at most to count the user's (an admin's list holds the whole org's). */
const COUNT_PAGES = 5;

/** What filling the form needs from the element. */
export interface CreateHost {
  /** The open create form's state, or null once it has closed. */
  state: () => CreateState | null;
  /** Merges a change into the open create form. */
  patch: (patch: Partial<CreateState>) => void;
  /** The org's policy as it is now, for the element's create button too. */
  policy: (policy: OrgPolicy) => void;
  /** Reports a failed call without announcing it; returns its sentence. */
  fail: (error: unknown) => string;
  /** The element's `default-expiry-days`. */
  defaultExpiryDays: number;
}

/**
 * Fills an open create form in as the API answers, all at once: the user's permissions (the
 * scopes to choose from), the org's policy as it is now (the expiries it allows; a policy that
 * changed since sign-in also resets the preselected expiry to its default) and how many active
 * keys the user holds against the policy's cap. Without a policy the form offers every choice and
 * the server still decides.
 *
 * @example
 * fillCreate(this.api(), { state, patch, policy, fail, defaultExpiryDays: 90 });
 */
export function fillCreate(api: ApiClient, host: CreateHost): void {
  api.me().then(
    async ({ permissions, user }) => {
      host.patch({ permissions });
      const activeKeys = user?.id ? await countActiveKeys(api, user.id).catch(() => null) : null;
      host.patch({ activeKeys });
    },
    (error) => host.patch({ errors: { scopes: host.fail(error) } }),
  );
  api.policy().then(
    ({ policy }) => {
      const shown = host.state();
      if (!policy || !shown) return;
      host.policy(policy);
      if (JSON.stringify(policy) !== JSON.stringify(shown.policy)) host.patch({ policy, expiry: defaultExpiry(host.defaultExpiryDays, policy) });
    },
    () => undefined,
  );
}

/**
 * The user's active keys as the cap counts them: their own (an admin lists the org's), canaries
 * left out (they never count); null when there are more pages than {@link COUNT_PAGES}.
 */
async function countActiveKeys(api: ApiClient, userId: string): Promise<number | null> {
  let count = 0;
  let cursor: string | null = null;
  for (let page = 0; page < COUNT_PAGES; page++) {
    const query: string = `/v1/keys?status=active&canary=false&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const page: { keys: ApiKey[]; nextCursor: string | null } = await api.request("GET", query);
    const { keys, nextCursor } = page;
    count += keys.filter((key) => key.createdBy.id === userId && !key.canary).length;
    if (!nextCursor) return count;
    cursor = nextCursor;
  }
  return null;
}
