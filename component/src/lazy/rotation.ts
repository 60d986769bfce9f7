// The rotation wizard: a chunk of its own, fetched when a row's Rotate is first clicked, with the
// dialogs' words.
export { DIALOG_TERMS as TERMS } from "../catalogues/dialogs";
export { DIALOG_STYLES as STYLES } from "../views/dialog-styles";
export { RotationController } from "../rotation-controller";
export { renderRotate } from "../views/rotate-view";
