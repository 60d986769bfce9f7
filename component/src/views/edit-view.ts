import { html, type TemplateResult } from "lit";
import type { ApiKey } from "../types";
import type { ViewContext } from "../view-context";
import { dateField, type FormActions, formDialog } from "./create-view";
import { ipAllowlistField } from "./ip-allowlist-field";

export interface EditState {
  kind: "edit";
  key: ApiKey;
  name: string;
  /** The expiry date (`yyyy-mm-dd`): the current one (kept) unless the user picks an earlier one. */
  customDate: string;
  /** The IP allowlist's text, entries one per line (the key's list to begin with); empty: any address. */
  allowedIps: string;
  errors: Record<string, string>;
  busy: boolean;
}

/**
 * The `yyyy-mm-dd` local date of an instant, as a date input shows it.
 *
 * @example
 * localDate("2026-09-30T08:00:00Z"); // "2026-09-30" (in Europe)
 */
export function localDate(iso: string): string {
  const at = new Date(iso);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

/**
 * The edit form of `key`: its name, and its current expiry date (kept unless changed).
 *
 * @example
 * this.dialog = editState(key);
 */
export function editState(key: ApiKey): EditState {
  return { kind: "edit", key, name: key.name, customDate: key.expiresAt ? localDate(key.expiresAt) : "", allowedIps: key.allowedIps?.join("\n") ?? "", errors: {}, busy: false };
}

/**
 * The "Edit" dialog: rename the key, keep its expiry (the date as it is) or move it earlier (the
 * date picker stops at the current expiry, and a key without one may get any), and edit the
 * addresses it may be used from. The server's refusals show next to the field they concern.
 *
 * @example
 * html`${renderEdit(ctx, state, actions)}`
 */
export function renderEdit(ctx: ViewContext, state: EditState, actions: FormActions<EditState>): TemplateResult {
  const { expiresAt, name } = state.key;
  const fields = html`${dateField(ctx, state, actions, true, expiresAt ? localDate(expiresAt) : undefined)}
    ${ipAllowlistField(ctx, state, (text) => actions.onInput({ allowedIps: text }))}`;
  return formDialog(ctx, ctx.t("editKeyLabel", { name }), state, actions, fields, ctx.t("save"));
}
