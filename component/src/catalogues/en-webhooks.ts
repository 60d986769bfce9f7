import type { Catalogue } from "../terms";

// English words of the webhooks section that org admins see: a chunk of its own, fetched with
// that section (members never fetch it).
const enWebhooks = {
  webhooksTitle: "Webhooks",
};

export type EnglishWebhooks = typeof enWebhooks;
export default enWebhooks satisfies Catalogue<EnglishWebhooks> as Catalogue<EnglishWebhooks>;
