import { css } from "lit";
import { dialogStyles } from "./dialog-styles";

/**
 * The webhooks section's own styles (its endpoint form uses the dialogs' too): they come with
 * its chunk.
 *
 * @example
 * export const STYLES = [dialogStyles, webhookStyles];
 */
export const webhookStyles = css`
  .webhooks { margin-top: calc(var(--_space) * 2); }
  .endpoints { list-style: none; padding: 0; margin: 0; }
  .endpoints > li { border-bottom: 1px solid var(--_border); padding: var(--_space) 0; }
  .url { overflow-wrap: anywhere; }
  .buttons.start { justify-content: flex-start; margin-top: 0.5em; }
  .deliveries { margin-top: 0.5em; padding-inline-start: var(--_space); }
`;

/** What the webhooks part adds to the element's styles. */
export const WEBHOOK_STYLES = [dialogStyles, webhookStyles];
