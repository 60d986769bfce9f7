import type { WebhookCatalogue } from "../terms";

const esWebhooks: WebhookCatalogue = {
  webhooksTitle: "Webhooks",
};

export default esWebhooks;
