import { html, nothing, type TemplateResult } from "lit";
import { localDate } from "../local-date";
import type { ApiKey, OrgPolicy } from "../types";
import type { ViewContext } from "../view-context";
import { DAY, dateField, type FormActions, formDialog } from "./create-view";
import { descriptionField } from "./description-field";
import { ipAllowlistField } from "./ip-allowlist-field";

export interface EditState {
  kind: "edit";
  key: ApiKey;
  name: string;
  /** The description's text (the key's to begin with); emptied: removed. */
  description: string;
  /** The expiry date (`yyyy-mm-dd`): the current one (kept) unless the user picks an earlier one. */
  customDate: string;
  /** The IP allowlist's text, entries one per line (the key's list to begin with); empty: any address. */
  allowedIps: string;
  /** The org's policy when known: a key without an expiry may get one at most its maximum lifetime ahead. */
  policy: OrgPolicy | null;
  errors: Record<string, string>;
  busy: boolean;
}

/**
 * The edit form of `key`: its name, and its current expiry date (kept unless changed).
 *
 * @example
 * this.dialog = editState(key, policy);
 */
export function editState(key: ApiKey, policy: OrgPolicy | null = null): EditState {
  return {
    kind: "edit", key, name: key.name, description: key.description ?? "", customDate: key.expiresAt ? localDate(key.expiresAt) : "",
    allowedIps: key.allowedIps?.join("\n") ?? "", policy, errors: {}, busy: false,
  };
}

/**
 * The "Edit" dialog: rename the key, describe it, keep its expiry (the date as it is) or move it
 * earlier (the date picker stops at the current expiry; for a key without one, at the org's maximum
 * lifetime ahead), and
 * edit the addresses it may be used from (not a canary's: it takes none). The server's refusals
 * show next to the field they concern.
 *
 * @example
 * html`${renderEdit(ctx, state, actions)}`
 */
export function renderEdit(ctx: ViewContext, state: EditState, actions: FormActions<EditState>): TemplateResult {
  const { expiresAt, name } = state.key;
  const { policy } = state;
  const max = expiresAt ?? (policy ? new Date(ctx.now + policy.maxKeyLifetimeDays * DAY).toISOString() : null);
  const fields = html`${descriptionField(ctx, state, (text) => actions.onInput({ description: text }))}
    ${dateField(ctx, state, actions, true, max ? localDate(max) : undefined)}
    ${state.key.canary ? nothing : ipAllowlistField(ctx, state, (text) => actions.onInput({ allowedIps: text }))}`;
  return formDialog(ctx, ctx.t("editKeyLabel", { name }), state, actions, fields, ctx.t("save"));
}
