import { css } from "lit";

/**
 * The styles of the form and detail dialogs (create, edit, details, the rotation wizard, the
 * webhook endpoint form): fields, fieldsets and disclosures, warnings, summaries and the large
 * chart. They come with those parts' chunks and join the element's styles when one arrives.
 *
 * @example
 * export const STYLES = [dialogStyles];
 */
export const dialogStyles = css`
  .field { margin-bottom: var(--_space); }
  .field input[type="text"], .field input[type="url"], .field select, .field textarea { width: 100%; }
  .warning { background: var(--_warn-bg); color: var(--_warn); border-radius: var(--_radius); padding: 0.5em 0.75em; font-size: 0.875em; }
  .ok { color: var(--_ok); font-weight: 600; }
  .summary { display: grid; grid-template-columns: max-content 1fr; gap: 0.25em 1em; margin: 0 0 var(--_space); }
  .summary dt { color: var(--_muted); }
  .summary dd { margin: 0; }
  fieldset { border: 0; padding: 0; }
  legend, summary { font-weight: 600; }
  summary { cursor: pointer; margin-bottom: 0.5em; }
  .scopes { padding-inline-start: 1.5em; }
  .chart { width: 100%; height: 8em; }
  button[aria-disabled="true"] { opacity: 0.6; cursor: progress; }
`;

/** What a dialog part adds to the element's styles. */
export const DIALOG_STYLES = [dialogStyles];
