import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { authenticate } from "../http/authenticate";
import { requestOrigin } from "../http/request-origin";
import { readJsonBody, validate } from "../http/json-body";
import { methodNotAllowed } from "../http/method-not-allowed";
import { CreateKeyInput, ListKeysQuery, RevokeKeyInput, RotateKeyInput } from "../keys/key-schemas";
import { KeyService } from "../manage/key-service";

/**
 * `/v1/keys`: list, create, read, revoke and rotate keys for the signed-in user.
 * Responses that carry a secret are `Cache-Control: no-store` (as is every `/v1` response).
 *
 * @example
 * app.route("/v1/keys", keyRoutes());
 */
export function keyRoutes() {
  const keys = new Hono<AppEnv>();
  const service = (c: { env: Env; var: AppEnv["Variables"] }) => new KeyService(c.env, c.var.config);

  keys.use(authenticate());

  keys.get("/", async (c) => {
    const query = validate(ListKeysQuery, c.req.query(), "query");
    return c.json(await service(c).list(c.var.principal, query));
  });

  keys.post("/", async (c) => {
    const input = await readJsonBody(c, CreateKeyInput);
    const issued = await service(c).create(c.var.principal, input, requestOrigin(c.req.raw));
    return c.json(issued, 201);
  });

  keys.get("/:id", async (c) => {
    return c.json({ key: await service(c).get(c.var.principal, c.req.param("id")) });
  });

  keys.post("/:id/revoke", async (c) => {
    await readJsonBody(c, RevokeKeyInput);
    const key = await service(c).revoke(c.var.principal, c.req.param("id"), requestOrigin(c.req.raw));
    return c.json({ key });
  });

  keys.post("/:id/rotate", async (c) => {
    const input = await readJsonBody(c, RotateKeyInput);
    const rotated = await service(c).rotate(c.var.principal, c.req.param("id"), input.graceSeconds, requestOrigin(c.req.raw));
    return c.json(rotated, 201);
  });

  keys.all("/", methodNotAllowed("GET, POST"));
  keys.all("/:id", methodNotAllowed("GET"));
  keys.all("/:id/revoke", methodNotAllowed("POST"));
  keys.all("/:id/rotate", methodNotAllowed("POST"));
  return keys;
}
