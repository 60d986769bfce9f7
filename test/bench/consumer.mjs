// The bench's consuming Worker (test/bench/consumer.toml). `/__bench/verify-binding` checks the
// request's X-API-Key through the KeyVerifier service binding and answers 200 when it is valid,
// 429 when rate-limited and 401 otherwise; every other request goes to the key service's own
// fetch handler over the EDGE service binding, so all paths the bench compares cross one binding.
export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname !== "/__bench/verify-binding") return env.EDGE.fetch(request);
    const result = await env.KEY_VERIFIER.verify(request.headers.get("X-API-Key") ?? "", {
      clientAddress: request.headers.get("CF-Connecting-IP"),
    });
    const status = result.valid ? 200 : result.code === "rate_limited" ? 429 : 401;
    return Response.json(result, { status });
  },
};
