import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { toast } from "sonner";
import { describeError } from "../../lib/errors.ts";
import { useTRPC } from "../../lib/trpc.ts";

export function useLogout() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: async () => {
        await navigate("/login", { replace: true });
        // Leave nothing of this user's data in memory for whoever signs in next.
        queryClient.clear();
      },
      onError: (error) => {
        toast.error(`Could not sign out: ${describeError(error).message}`);
      },
    }),
  );
}
