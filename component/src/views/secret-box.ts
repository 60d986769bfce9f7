import { html, type TemplateResult } from "lit";
import type { ViewContext } from "../view-context";

/**
 * A value shown once with a Copy button: the Clipboard API, or, where it is refused, the value
 * selected so the user can press Ctrl+C.
 *
 * @example
 * html`${secretBox(ctx, "key", secret, t("yourKey"), announce)}`
 */
export function secretBox(
  ctx: ViewContext,
  id: string,
  value: string,
  label: string,
  announce: (message: string) => void,
  focus = false,
): TemplateResult {
  const copy = async (event: Event) => {
    const code = (event.currentTarget as HTMLElement).parentElement!.querySelector("code")!;
    try {
      await navigator.clipboard.writeText(value);
      announce(ctx.t("copied"));
    } catch {
      const selection = (code.getRootNode() as ShadowRoot & { getSelection?: () => Selection | null }).getSelection?.() ?? getSelection();
      const range = document.createRange();
      range.selectNodeContents(code);
      selection?.removeAllRanges();
      selection?.addRange(range);
      announce(ctx.t("copyFallback"));
    }
  };
  return html`
    <div class="secret" part="secret">
      <code id=${id} title=${label}>${value}</code>
      <button class="primary" part="copy-button" aria-describedby=${id} ?autofocus=${focus} @click=${copy}>${ctx.t("copy")}</button>
    </div>
  `;
}
