import type { WebhookCatalogue } from "../terms";

const deWebhooks: WebhookCatalogue = {
  webhooksTitle: "Webhooks",
};

export default deWebhooks;
