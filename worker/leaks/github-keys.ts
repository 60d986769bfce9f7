import { type LeakConfig, type LeakReportPublicKey, parseLeakPublicKeys } from "../config";

/** How long a downloaded key set is used before it is fetched again. */
const FRESH_MS = 60 * 60 * 1000;
/** How long a failed download is remembered (reports meanwhile answer 503), so a flood can't hammer the URL. */
const FAILURE_MS = 30 * 1000;
/** An unknown key identifier refetches the set at most this often (GitHub rotated its key). */
const REFETCH_UNKNOWN_MS = 5 * 60 * 1000;
const DOWNLOAD_TIMEOUT_MS = 5000;
const MAX_KEY_SET_BYTES = 64 * 1024;

interface Download {
  startedAt: number;
  /** Whether it failed; null while in flight. */
  failed: boolean | null;
  keys: Promise<readonly LeakReportPublicKey[] | null>;
}

/** One download per URL per isolate, shared by every report that needs it. */
const downloads = new Map<string, Download>();

/** The PEM of a key identifier, or why there is none: `unknown` (no such key), `unavailable` (the key set could not be fetched). */
export type PublicKeyLookup = { ok: true; pem: string } | { ok: false; reason: "unknown" | "unavailable" };

/**
 * The public key GitHub names in `Github-Public-Key-Identifier`: from `LEAK_REPORT_PUBLIC_KEYS`
 * first, then from the set at `LEAK_REPORT_KEYS_URL` (GitHub's
 * https://api.github.com/meta/public_keys/secret_scanning), downloaded once per isolate and kept
 * for an hour; a failed download is remembered for 30 s. An identifier the set doesn't hold
 * refetches it (at most every 5 minutes), so a key GitHub just rotated in is found.
 *
 * @example
 * const found = await githubPublicKey(config.leaks, keyIdentifier);
 * if (found.ok) await verifyEcdsaP256Der(found.pem, signature, body);
 */
export async function githubPublicKey(
  config: Pick<LeakConfig, "publicKeys" | "keysUrl">,
  keyIdentifier: string,
  options: { now?: number; fetcher?: typeof fetch } = {},
): Promise<PublicKeyLookup> {
  const configured = config.publicKeys.find((k) => k.keyIdentifier === keyIdentifier);
  if (configured) return { ok: true, pem: configured.pem };
  if (!config.keysUrl) return { ok: false, reason: "unknown" };
  const now = options.now ?? Date.now();
  const fetcher = options.fetcher ?? fetch;
  let download = currentDownload(config.keysUrl, now, fetcher);
  let keys = await download.keys;
  if (keys && !keys.some((k) => k.keyIdentifier === keyIdentifier) && now - download.startedAt > REFETCH_UNKNOWN_MS) {
    download = startDownload(config.keysUrl, now, fetcher);
    keys = await download.keys;
  }
  if (!keys) return { ok: false, reason: "unavailable" };
  const found = keys.find((k) => k.keyIdentifier === keyIdentifier);
  return found ? { ok: true, pem: found.pem } : { ok: false, reason: "unknown" };
}

function currentDownload(url: string, now: number, fetcher: typeof fetch): Download {
  const download = downloads.get(url);
  if (!download) return startDownload(url, now, fetcher);
  const age = now - download.startedAt;
  const stale = download.failed === null ? false : age > (download.failed ? FAILURE_MS : FRESH_MS);
  return stale ? startDownload(url, now, fetcher) : download;
}

function startDownload(url: string, now: number, fetcher: typeof fetch): Download {
  const download: Download = { startedAt: now, failed: null, keys: Promise.resolve(null) };
  download.keys = fetchKeySet(url, fetcher).then((keys) => {
    download.failed = keys === null;
    return keys;
  });
  downloads.set(url, download);
  return download;
}

async function fetchKeySet(url: string, fetcher: typeof fetch): Promise<readonly LeakReportPublicKey[] | null> {
  try {
    const res = await fetcher(url, {
      headers: { Accept: "application/json", "User-Agent": "api-keys-edge" },
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_KEY_SET_BYTES) throw new Error("key set too large");
    return parseLeakPublicKeys(text);
  } catch (error) {
    console.error(`leak report keys unavailable from LEAK_REPORT_KEYS_URL: ${(error as Error).message}`);
    return null;
  }
}
