import { isPublicAddress, parseIpAddress } from "../net/ip";

/** What {@link checkEndpointUrl} answers: the URL as it will be called, or why it is refused. */
export type EndpointUrlCheck = { ok: true; url: string } | { ok: false; reason: string };

/** What the rule depends on: whether local development lets plain http reach this machine. */
export interface EndpointUrlPolicy {
  allowLocalhost: boolean;
}

/** The longest URL an endpoint may have. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;
/** Ports an https endpoint may name besides the default 443. */
const ALLOWED_PORTS: ReadonlySet<string> = new Set(["", "443", "8443"]);
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);
/**
 * Names that only resolve inside a network: localhost (RFC 6761), mDNS (.local), the home
 * network (.home.arpa, RFC 8375), .internal (reserved for private use by ICANN) and the
 * pseudo-TLDs that RFC 6762 appendix G lists as in use on private networks.
 */
const PRIVATE_SUFFIXES = ["localhost", "local", "internal", "home.arpa", "intranet", "private", "corp", "home", "lan"];

/**
 * Whether a webhook endpoint URL may be called, and if so the URL as WHATWG parsing normalises it
 * (so `https://0x7f.1/` is judged as the 127.0.0.1 it means). Refused: anything but `https:`
 * (plain `http:` only to localhost, 127.0.0.1 or [::1], and only when `allowLocalhost`), a user
 * name or password, a fragment, a port other than 443 or 8443, a URL longer than 2048
 * characters, an IP literal that is not a public unicast address (private, loopback, link-local,
 * unique-local, mapped or embedded IPv4 of those…), and host names that only exist inside a
 * network (`localhost`, `*.localhost`, `*.local`, `*.internal`, `*.home.arpa`…, single labels).
 * Checked when an endpoint is saved and again before every attempt.
 *
 * A name can still resolve to a private address (DNS rebinding); Workers' `fetch` does not reach
 * private networks, which bounds what such a name could do.
 *
 * @example
 * checkEndpointUrl("https://hooks.example.com/keys", { allowLocalhost: false }); // { ok: true, url: "https://hooks.example.com/keys" }
 * checkEndpointUrl("https://10.0.0.1/", { allowLocalhost: false }).ok;           // false
 */
export function checkEndpointUrl(raw: string, policy: EndpointUrlPolicy): EndpointUrlCheck {
  if (raw.length > MAX_ENDPOINT_URL_LENGTH) return refuse(`must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`);
  const url = URL.parse(raw);
  if (!url) return refuse("must be an absolute URL such as https://hooks.example.com/api-keys");
  if (url.username || url.password) return refuse("must not carry a user name or password");
  if (url.hash || raw.includes("#")) return refuse("must not have a fragment (#…)");
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (loopback && policy.allowLocalhost && (url.protocol === "http:" || url.protocol === "https:")) return { ok: true, url: url.href };
  if (url.protocol !== "https:") {
    return refuse(policy.allowLocalhost ? "must be https (plain http only for localhost, 127.0.0.1 or [::1])" : "must be https");
  }
  if (!ALLOWED_PORTS.has(url.port)) return refuse("may name no port other than 443 or 8443");
  const hostProblem = hostnameProblem(url.hostname);
  return hostProblem ? refuse(hostProblem) : { ok: true, url: url.href };
}

function hostnameProblem(hostname: string): string | null {
  const literal = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  const ip = parseIpAddress(literal);
  if (ip) return isPublicAddress(ip) ? null : "must not point at a private, loopback, link-local or reserved address";
  // WHATWG parsing already turned every numeric spelling of an IPv4 address into a dotted quad.
  const name = hostname.endsWith(".") ? hostname.slice(0, -1) : hostname;
  if (!name.includes(".")) return "must name a public host (a fully qualified domain name)";
  if (PRIVATE_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) {
    return "must name a public host, not one that only resolves inside a network (localhost, .local, .internal…)";
  }
  return null;
}

function refuse(reason: string): EndpointUrlCheck {
  return { ok: false, reason: `The URL ${reason}.` };
}
