/**
 * The provider forms' "In-cluster" checkbox. Ticking it is the admin's word that the provider runs
 * on the gateway's own network, which is what lets its base URL be a private or loopback address or
 * plain http://; the rule itself is core's, checked by the form and again by the server.
 */
import { ToggleField } from "../../components/form/fields.tsx";

export function InClusterField({ id }: { id: string }) {
  return (
    <ToggleField
      name="inCluster"
      id={id}
      label="In-cluster (self-hosted, private network)"
      description="Allows a private or loopback address and plain http://, for a provider inside your own network."
    />
  );
}
