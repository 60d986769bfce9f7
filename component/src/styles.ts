import { css } from "lit";

/** The dark palette, for `theme="dark"` and for `theme="auto"` on a dark system. */
const dark = css`
    --_bg: var(--api-keys-bg, #0d1117);
    --_fg: var(--api-keys-fg, #e6edf3);
    --_muted: var(--api-keys-muted, #9198a1);
    --_border: var(--api-keys-border, #3d444d);
    --_surface: var(--api-keys-surface, #151b23);
    --_accent: var(--api-keys-accent, #4493f8);
    --_accent-fg: var(--api-keys-accent-fg, #0d1117);
    --_danger: var(--api-keys-danger, #f85149);
    --_danger-fg: var(--api-keys-danger-fg, #0d1117);
    --_ok: var(--api-keys-ok, #3fb950);
    --_warn: var(--api-keys-warning, #d29922);
    --_warn-bg: var(--api-keys-warning-bg, #272115);
`;

/**
 * The first render's styles: light theme values, then the dark ones (every colour pair meets
 * WCAG AA, 4.5:1, for text), the list, its rows and the dialog. The parts fetched on demand bring
 * their own (views/dialog-styles.ts, views/webhook-styles.ts), adopted when they arrive.
 */
export const styles = css`
  :host {
    --_bg: var(--api-keys-bg, #ffffff);
    --_fg: var(--api-keys-fg, #1f2328);
    --_muted: var(--api-keys-muted, #59636e);
    --_border: var(--api-keys-border, #d1d9e0);
    --_surface: var(--api-keys-surface, #f6f8fa);
    --_accent: var(--api-keys-accent, #0969da);
    --_accent-fg: var(--api-keys-accent-fg, #ffffff);
    --_danger: var(--api-keys-danger, #cf222e);
    --_danger-fg: var(--api-keys-danger-fg, #ffffff);
    --_ok: var(--api-keys-ok, #116329);
    --_warn: var(--api-keys-warning, #7d4e00);
    --_warn-bg: var(--api-keys-warning-bg, #fff8c5);
    --_radius: var(--api-keys-radius, 6px);
    --_space: var(--api-keys-space, 0.75rem);
    display: block;
    container-type: inline-size;
    font: var(--api-keys-font, inherit);
    color: var(--_fg);
    background: var(--_bg);
  }
  :host([theme="dark"]) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host([theme="auto"]) {
      ${dark}
    }
  }
  * { box-sizing: border-box; }
  header { display: flex; flex-wrap: wrap; gap: var(--_space); align-items: end; justify-content: space-between; margin-bottom: var(--_space); }
  h2 { margin: 0; font-size: 1.25em; }
  h3 { margin: 0 0 var(--_space); font-size: 1.1em; }
  p { margin: 0 0 var(--_space); }
  .muted { color: var(--_muted); font-size: 0.875em; }
  button { font: inherit; cursor: pointer; border-radius: var(--_radius); padding: 0.4em 0.9em; border: 1px solid var(--_border); background: var(--_surface); color: var(--_fg); }
  button.primary { background: var(--_accent); border-color: var(--_accent); color: var(--_accent-fg); }
  button.danger { background: var(--_danger); border-color: var(--_danger); color: var(--_danger-fg); }
  button:disabled { opacity: 0.6; cursor: not-allowed; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible, a:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  input, select, textarea { font: inherit; color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.4em; }
  label { display: block; font-weight: 600; margin-bottom: 0.25em; }
  .error { color: var(--_danger); font-size: 0.875em; margin: 0.25em 0 0; white-space: pre-line; }
  .toolbar { display: flex; gap: 0.5em; align-items: center; }
  .toolbar label { margin: 0; }
  /* No scroll anchoring in the table: its row elements are reused for other keys as it scrolls. */
  table { width: 100%; border-collapse: collapse; overflow-anchor: none; }
  th, td { text-align: start; padding: 0.5em; border-bottom: 1px solid var(--_border); vertical-align: top; }
  th { font-size: 0.875em; color: var(--_muted); font-weight: 600; }
  td.actions { white-space: nowrap; text-align: end; }
  tr:focus-visible { outline: 2px solid var(--_accent); outline-offset: -2px; }
  tr.spacer, tr.spacer td { border: 0; margin: 0; padding: 0; }
  td.actions button { margin-inline-start: 0.25em; }
  .tag { display: inline-block; margin: 0.25em 0.25em 0 0; font-size: 0.75em; border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0 0.4em; cursor: help; }
  .leak { margin-top: 0.5em; padding: 0.5em 0.75em; border: 1px solid var(--_danger); border-radius: var(--_radius); min-width: 12em; white-space: normal; }
  .leak p { margin: 0 0 0.5em; font-size: 0.875em; overflow-wrap: anywhere; }
  .leak p:last-child { margin: 0; }
  a { color: var(--_accent); }
  .owner-note { color: var(--_muted); font-size: 0.875em; cursor: help; text-decoration: underline dotted; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 0.9em; }
  td code { white-space: nowrap; }
  .badge { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 0.5em; font-size: 0.8em; font-weight: 600; }
  .badge.active { color: var(--_ok); }
  .badge.expired { color: var(--_warn); }
  .badge.revoked { color: var(--_danger); }
  .badge.paused { color: var(--_warn); margin-inline-start: 0.25em; }
  .hint { display: inline-block; margin: 0.25em 0.25em 0 0; font-size: 0.75em; color: var(--_warn); background: var(--_warn-bg); border-radius: var(--_radius); padding: 0 0.4em; }
  .state { padding: calc(var(--_space) * 2) var(--_space); text-align: center; border: 1px dashed var(--_border); border-radius: var(--_radius); }
  .more { margin-top: var(--_space); text-align: center; }
  dialog { color: var(--_fg); background: var(--_bg); border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 2); padding: calc(var(--_space) * 1.5); width: min(36rem, calc(100vw - 2rem)); }
  dialog::backdrop { background: rgb(0 0 0 / 0.5); }
  .buttons { display: flex; flex-wrap: wrap; gap: 0.5em; justify-content: flex-end; margin-top: var(--_space); }
  .secret { display: flex; gap: 0.5em; align-items: stretch; margin-bottom: var(--_space); }
  .secret code { flex: 1; overflow-wrap: anywhere; user-select: all; background: var(--_surface); border: 1px solid var(--_border); border-radius: var(--_radius); padding: 0.5em; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  .link { border: 0; background: none; padding: 0; text-align: start; }
  [part~="scopes"] { max-width: 15em; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  svg { fill: var(--_accent); }
  .spark { display: block; width: 6em; height: 1.2em; }
  @container (max-width: 600px) {
    thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
    tr, td { display: block; }
    tr { border: 1px solid var(--_border); border-radius: var(--_radius); margin-bottom: var(--_space); padding: 0.25em 0.5em; }
    td { border: 0; padding: 0.25em 0; }
    td[data-label]::before { content: attr(data-label) ": "; color: var(--_muted); font-size: 0.875em; }
    td.actions { text-align: start; }
  }
`;
