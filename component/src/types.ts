/** A key as the management API returns it (never a secret). */
export interface ApiKey {
  id: string;
  name: string;
  hint: string;
  createdAt: string;
  createdBy: { id: string; name: string | null };
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  status: KeyStatus;
  scopes: string[] | null;
  rotatedFromId: string | null;
  rotatedToId: string | null;
}

export type KeyStatus = "active" | "expired" | "revoked";

/** An RFC 9457 problem as the API sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}
