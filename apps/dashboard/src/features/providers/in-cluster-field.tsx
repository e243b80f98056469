/**
 * The provider forms' "In-cluster" checkbox. Ticking it is the admin's word that the provider runs
 * on the gateway's own network, which is what lets its base URL be a private or loopback address or
 * plain http://; the rule itself is core's, checked by the form and again by the server.
 */
import { Checkbox } from "../../components/ui/checkbox.tsx";
import { Label } from "../../components/ui/label.tsx";

export function InClusterField({
  id,
  checked,
  onCheckedChange,
}: {
  id: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
}) {
  const descriptionId = `${id}-description`;
  return (
    <div data-slot="form-field" className="grid gap-2">
      <div className="flex items-center gap-2">
        <Checkbox
          id={id}
          checked={checked}
          onCheckedChange={(value) => onCheckedChange(value === true)}
          aria-describedby={descriptionId}
        />
        <Label htmlFor={id} className="font-normal">
          In-cluster (self-hosted, private network)
        </Label>
      </div>
      <p id={descriptionId} className="text-sm text-muted-foreground">
        Allows a private or loopback address and plain http://, for a provider inside your own network.
      </p>
    </div>
  );
}
