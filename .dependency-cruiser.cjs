// The floor plan of worker/, enforced by `npm run test:layers` (part of `npm test`): every import
// points down this list, never up or sideways into a later entry. Moving a file means moving it
// to the floor whose neighbours it needs; a rule is never loosened to make an import pass.
//
// Bottom first. Within one floor, files import each other freely.
const FLOORS = [
  ["errors", "^worker/errors/"], // Failure: every expected outcome, by code
  ["schemas", "^worker/schemas/"], // shared input rules (names, ids, permissions, RFC 3339)
  ["crypto", "^worker/crypto/"], // HMAC, timing-safe compare, base62, base64url, CRC-32, JWK types
  ["net", "^worker/net/"], // IP addresses and CIDR ranges: parsing, formatting, containment, public or not
  ["auth", "^worker/auth/"], // verifying and signing tokens, claims; no HTTP
  ["config", "^worker/config\\.ts$"], // wrangler vars and secrets -> Config
  ["limiter", "^worker/limiter/"], // the pure sliding window and its header fields
  ["paging", "^worker/paging/"], // signed cursors
  ["audit", "^worker/audit/"], // audit types, store, visibility rule
  ["users", "^worker/users/"], // user state and its ordering rule, the D1 users store
  ["orgs", "^worker/orgs/"], // each org's own policies (leak policy) over the deployment's defaults
  ["keys", "^worker/keys/"], // key format, record, status, expiry, schemas, the D1 keys store
  ["webhooks", "^worker/webhooks/"], // webhook endpoints, fan-out, signed delivery through Queues, the sweep
  ["authority", "^worker/authority/"], // the two Durable Objects, their stores, outbox, clients
  ["verify", "^worker/verify/"], // the key check as a value, the KeyVerifier entrypoint
  ["manage", "^worker/manage/"], // the management use cases (KeyService)
  ["leaks", "^worker/leaks/"], // leak reports: their signatures, GitHub's keys, revoke or flag
  ["app-env", "^worker/app-env\\.ts$"], // the Hono environment type: where the web side starts
  ["http", "^worker/http/"], // web plumbing: problems, bodies, CORS, headers, sign-in middleware
  ["edge", "^worker/edge/"], // /api/*: the key middleware, forwarding, the assertion
  ["routes", "^worker/routes/"], // the /v1, /dev and page routes
  ["openapi", "^worker/openapi/"], // the OpenAPI document and /docs
  ["entries", "^worker/(app|index|dev|local-dev)\\.ts$"], // the app and its entry points
];

const forbidden = FLOORS.flatMap(([name, from], floor) => {
  const above = FLOORS.slice(floor + 1);
  if (above.length === 0) return [];
  return [
    {
      name: `${name}-imports-only-below`,
      comment: `${name} sits on floor ${floor}; it may import only floors below it (see FLOORS in .dependency-cruiser.cjs).`,
      severity: "error",
      from: { path: from },
      to: { path: above.map(([, path]) => `(${path})`).join("|") },
    },
  ];
});

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: "no-circular",
      comment: "No import cycles between files.",
      severity: "error",
      from: { path: "^worker/" },
      to: { circular: true },
    },
    {
      name: "worker-not-from-tests",
      comment: "Production code never imports test code.",
      severity: "error",
      from: { path: "^worker/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "worker/worker-configuration\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    // Imports of the platform (cloudflare:workers) are not files; nothing to check there.
    externalModuleResolutionStrategy: "node_modules",
  },
};
