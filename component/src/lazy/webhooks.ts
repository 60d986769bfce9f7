// The admins' webhooks section: a chunk of its own, fetched only when GET /v1/me says the
// signed-in user is an org admin, with its own words (members never fetch any of it).
export { WEBHOOK_TERMS as TERMS } from "../catalogues/webhooks";
export { WEBHOOK_STYLES as STYLES } from "../views/webhook-styles";
export { WebhooksController } from "../webhooks-controller";
export { renderWebhookDialog, renderWebhooks } from "../views/webhooks-view";
