/**
 * A public P-256 signing key as a JSON Web Key Set lists it: the edge's keys at
 * `/.well-known/jwks.json` and local development's identity-provider stand-in alike.
 */
export interface PublicJwk {
  kty: "EC";
  crv: "P-256";
  x: string;
  y: string;
  kid: string;
  alg: "ES256";
  use: "sig";
}
