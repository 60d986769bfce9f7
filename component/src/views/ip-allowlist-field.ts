import { html, nothing, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";

/** What the field needs of a form's state. */
interface AllowlistState {
  /** The textarea's text: entries one per line (or separated by commas). */
  allowedIps: string;
  errors: Record<string, string>;
}

/**
 * "Allowed IP addresses": a textarea of addresses and CIDR ranges, its help, and its errors (the
 * form's own checks, or the server's `allowedIps.N` refusals), each one a line, tied to it by
 * `aria-describedby`.
 *
 * @example
 * html`${ipAllowlistField(ctx, state, (text) => actions.onInput({ allowedIps: text }))}`
 */
export function ipAllowlistField(ctx: ViewContext, state: AllowlistState, onInput: (text: string) => void): TemplateResult {
  const { t } = ctx;
  const error = state.errors.allowedIps;
  return html`
    <div class="field">
      <label for="key-ips">${t("ipLabel")}</label>
      <textarea id="key-ips" rows="3" spellcheck="false" autocomplete="off" aria-invalid=${error ? "true" : "false"}
        aria-describedby="key-ips-help key-ips-error" .value=${state.allowedIps}
        @input=${(e: Event) => onInput((e.target as HTMLTextAreaElement).value)}></textarea>
      <p class="muted" id="key-ips-help">${t("ipHelp")}</p>
      <p class="error lines" id="key-ips-error">${error ?? nothing}</p>
    </div>
  `;
}
