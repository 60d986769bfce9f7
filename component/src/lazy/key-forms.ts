// The create and edit forms: a chunk of their own, fetched when "New API key" or a row's Edit is
// first clicked, with the dialogs' words.
export { DIALOG_TERMS as TERMS } from "../catalogues/dialogs";
export { DIALOG_STYLES as STYLES } from "../views/dialog-styles";
export { checkCreate, checkEdit } from "../key-form-checks";
export { createState, renderCreate } from "../views/create-view";
export { editState, renderEdit } from "../views/edit-view";
