import { html, nothing, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";

/** What the field needs of a form's state. */
interface DescriptionState {
  description: string;
  errors: Record<string, string>;
}

/**
 * "Description (optional)" of the create and edit forms: one line of up to 500 characters, with
 * the reminder that everyone who can see the key (and the API it calls) reads it, and its error.
 *
 * @example
 * html`${descriptionField(ctx, state, (text) => actions.onInput({ description: text }))}`
 */
export function descriptionField(ctx: ViewContext, state: DescriptionState, onInput: (text: string) => void): TemplateResult {
  const { t } = ctx;
  const error = state.errors.description;
  return html`
    <div class="field">
      <label for="key-description">${t("descriptionLabel")}</label>
      <input id="key-description" type="text" maxlength="500" autocomplete="off" aria-invalid=${error ? "true" : "false"}
        aria-describedby="key-description-help key-description-error" .value=${state.description}
        @input=${(e: Event) => onInput((e.target as HTMLInputElement).value)} />
      <p class="muted" id="key-description-help">${t("descriptionHelp")}</p>
      <p class="error" id="key-description-error">${error ?? nothing}</p>
    </div>
  `;
}
