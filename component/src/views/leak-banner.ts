import { html, nothing, type TemplateResult } from "lit";
import type { ApiKey } from "../types";
import type { ViewContext } from "../view-context";

/** Stands in for the URL while the sentence is filled in, so the URL can become a link inside it in any language. */
const MARK = "\u0000";

/**
 * The banner of a key a leak report named: where it was found and when, and what that means now:
 * revoked (the org's policy revoked it, or someone did), expired, or still working. A key that
 * still works gets "Rotate now" (`onRotate`: a rotation without grace, the old key revoked at
 * once), unless it can't be rotated by the viewer (its owner's to rotate), was rotated already or
 * is a canary (the server never rotates one);
 * then the sentence asks to revoke it. The URL is text, and a link (new tab, no opener, no
 * referrer) only when it is http(s).
 *
 * @example
 * html`${key.leak ? leakBanner(ctx, key, busy, (e) => rotate(key, e)) : nothing}`
 */
export function leakBanner(ctx: ViewContext, key: ApiKey, busy: boolean, onRotate: (event: Event) => void): TemplateResult {
  const { t, fmt } = ctx;
  const { at, url } = key.leak!;
  const rotatable = key.status === "active" && !key.rotatedToId && !key.rotationRequiresOwner && !key.canary;
  const sentence = key.status === "revoked" ? "leakRevoked" : key.status === "expired" ? "leakExpired" : rotatable ? "leakRotate" : "leakRevoke";
  const [before, after] = t(sentence, { url: MARK, date: fmt.date(at) }).split(MARK);
  return html`<div class="leak" part="leak-banner">
    <p>${before}${webLink(url) ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${url}</a>` : html`<code>${url}</code>`}${after}</p>
    ${rotatable
      ? html`<button class="danger" part="rotate-now-button" aria-label=${t("rotateNowLabel", { name: key.name })} ?disabled=${busy} @click=${onRotate}
          >${t("rotateNow")}</button>`
      : nothing}
  </div>`;
}

/** Whether a reported URL may be a link: http or https only (never javascript:, data: and the like). */
function webLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
}
