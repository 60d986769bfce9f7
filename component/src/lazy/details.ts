// A key's details view (usage and activity): a chunk of its own, fetched when a key's name is
// first clicked, with the dialogs' words.
export { DIALOG_TERMS as TERMS } from "../catalogues/dialogs";
export { DIALOG_STYLES as STYLES } from "../views/dialog-styles";
export { renderDetails } from "../views/details-view";
