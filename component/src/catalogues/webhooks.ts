import type { TermsPart } from "../terms";

/** The words of the admins' webhooks section, one chunk per language: imported only by its chunk. */
export const WEBHOOK_TERMS: TermsPart = {
  en: () => import("./en-webhooks"),
  de: () => import("./de-webhooks"),
  fr: () => import("./fr-webhooks"),
  es: () => import("./es-webhooks"),
};
