import type { WebhookCatalogue } from "../terms";

const frWebhooks: WebhookCatalogue = {
  webhooksTitle: "Webhooks",
};

export default frWebhooks;
