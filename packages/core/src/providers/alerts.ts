/**
 * Alerts the data plane raises to the control plane (`POST /data-plane/v1/alerts`), which turns
 * them into dashboard notifications for admins. Shared by the proxy (sender) and the control plane.
 */
import { z } from "zod";

export const DataPlaneAlert = z.object({
  /** The provider answered 401 to the primary credential and the fallback one worked. */
  kind: z.literal("credential_fallback"),
  providerId: z.uuid("providerId must be the provider's id (a UUID)"),
  /** The credential that was rejected. */
  credentialId: z.uuid("credentialId must be the credential's id (a UUID)"),
  message: z.string().trim().min(1, "message is required").max(1000, "message is at most 1000 characters"),
});
export type DataPlaneAlert = z.infer<typeof DataPlaneAlert>;
