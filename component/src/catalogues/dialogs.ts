import type { TermsPart } from "../terms";

/** The words of the create, edit, revoke, details and rotation dialogs, one chunk per language: imported only by those dialogs' chunks. */
export const DIALOG_TERMS: TermsPart = {
  en: () => import("./en-dialogs"),
  de: () => import("./de-dialogs"),
  fr: () => import("./fr-dialogs"),
  es: () => import("./es-dialogs"),
};
