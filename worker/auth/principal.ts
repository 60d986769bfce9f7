/** The signed-in user a management request acts for, taken only from a verified token. */
export interface Principal {
  orgId: string;
  userId: string;
  name: string | null;
  permissions: string[];
  isAdmin: boolean;
}

/**
 * The permission that lets a user see and manage every key of their org, unless
 * `AUTH_ADMIN_PERMISSION` names another (Clerk prefixes every permission with `org:`).
 */
export const ADMIN_PERMISSION = "api_keys:admin";
