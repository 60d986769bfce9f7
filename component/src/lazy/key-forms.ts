// The create, edit and revoke forms: a chunk of their own, fetched when "New API key", a row's
// Edit or its Revoke is first clicked, with the dialogs' words.
export { DIALOG_TERMS as TERMS } from "../catalogues/dialogs";
export { DIALOG_STYLES as STYLES } from "../views/dialog-styles";
export { checkCreate, checkEdit } from "../key-form-checks";
export { createState, renderCreate } from "../views/create-view";
export { editState, renderEdit } from "../views/edit-view";
export { renderRevoke } from "../views/revoke-view";
export { fillCreate } from "../fill-create";
