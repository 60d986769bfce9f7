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
  /** The caller may not rotate this key: it can do things the caller can't (only its owner may). */
  rotationRequiresOwner: boolean;
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
