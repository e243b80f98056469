/**
 * The header's bell, for every role: the unread count, and a list of recent notices (scheduled key
 * rotations, provider credential fallbacks) that can be marked read. Polls every 30 seconds.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { BellIcon, CheckCheckIcon, CircleAlertIcon, InfoIcon, TriangleAlertIcon } from "lucide-react";
import { Link } from "react-router";
import { toast } from "sonner";
import { Button } from "../../components/ui/button.tsx";
import { Popover, PopoverContent, PopoverTrigger } from "../../components/ui/popover.tsx";
import { Skeleton } from "../../components/ui/skeleton.tsx";
import { describeError } from "../../lib/errors.ts";
import { formatDateTime, formatRelative } from "../../lib/format.ts";
import { type RouterOutputs, useTRPC } from "../../lib/trpc.ts";
import { cn } from "../../lib/utils.ts";
import { useHasScope } from "../auth/session.tsx";

type Notice = RouterOutputs["notifications"]["list"]["items"][number];

export const notificationsPollMs = 30_000;

function SeverityIcon({ severity }: { severity: string }) {
  if (severity === "error") return <CircleAlertIcon className="size-4 text-destructive" aria-label="Error" />;
  if (severity === "warning")
    return <TriangleAlertIcon className="size-4 text-amber-600 dark:text-amber-400" aria-label="Warning" />;
  return <InfoIcon className="size-4 text-muted-foreground" aria-label="Information" />;
}

export function NotificationsBell() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canSeeKeys = useHasScope("keys:read");
  const canSeeProviders = useHasScope("providers:read");
  const notices = useQuery({
    ...trpc.notifications.list.queryOptions({}),
    refetchInterval: notificationsPollMs,
  });
  const markRead = useMutation(
    trpc.notifications.markRead.mutationOptions({
      onError: (error) => {
        toast.error("Could not mark the notifications read", { description: describeError(error).message });
      },
      onSettled: () => queryClient.invalidateQueries(trpc.notifications.pathFilter()),
    }),
  );

  const items = notices.data?.items ?? [];
  const unread = notices.data?.unread ?? 0;
  const unreadIds = items.filter((n) => n.readAt === null).map((n) => n.id);

  function targetLink(n: Notice): string | null {
    if (n.targetType === "key" && canSeeKeys) return "/keys";
    if (n.targetType === "provider" && canSeeProviders) return "/providers";
    return null;
  }

  const label = unread === 0 ? "Notifications" : `Notifications: ${unread} unread`;

  return (
    <Popover>
      <PopoverTrigger asChild>
        <Button variant="ghost" size="icon" className="relative" aria-label={label} title={label}>
          <BellIcon aria-hidden />
          {unread > 0 && (
            <span
              data-testid="notifications-unread"
              className="absolute top-1 right-1 flex h-4 min-w-4 items-center justify-center rounded-full bg-destructive px-1 text-[10px] leading-none font-semibold text-white tabular-nums"
              aria-hidden
            >
              {unread > 99 ? "99+" : unread}
            </span>
          )}
        </Button>
      </PopoverTrigger>
      <PopoverContent align="end" className="w-96 max-w-[calc(100vw-2rem)] p-0">
        <div className="flex items-center justify-between gap-2 border-b px-4 py-3">
          <h2 className="text-sm font-semibold">Notifications</h2>
          <Button
            variant="ghost"
            size="sm"
            disabled={unreadIds.length === 0 || markRead.isPending}
            onClick={() => markRead.mutate({ ids: unreadIds })}
          >
            <CheckCheckIcon aria-hidden />
            Mark all read
          </Button>
        </div>
        <div className="max-h-96 overflow-y-auto">
          {notices.isPending ? (
            <div className="grid gap-3 p-4" aria-busy="true">
              <Skeleton className="h-4 w-3/4" />
              <Skeleton className="h-4 w-1/2" />
            </div>
          ) : notices.isError && items.length === 0 ? (
            <div className="grid gap-2 p-4 text-sm">
              <p className="text-destructive">
                Could not load notifications: {describeError(notices.error).message}
              </p>
              <div>
                <Button variant="outline" size="sm" onClick={() => void notices.refetch()}>
                  Retry
                </Button>
              </div>
            </div>
          ) : items.length === 0 ? (
            <p className="px-4 py-8 text-center text-sm text-muted-foreground">
              Nothing yet. Scheduled key rotations and provider alerts appear here.
            </p>
          ) : (
            <ul aria-label="Notifications">
              {items.map((n) => {
                const link = targetLink(n);
                return (
                  <li
                    key={n.id}
                    className={cn(
                      "flex gap-3 border-b px-4 py-3 last:border-b-0",
                      n.readAt === null && "bg-accent/40",
                    )}
                  >
                    <span className="mt-0.5">
                      <SeverityIcon severity={n.severity} />
                    </span>
                    <div className="grid min-w-0 flex-1 gap-1">
                      <p className={cn("text-sm", n.readAt === null && "font-semibold")}>{n.title}</p>
                      <p className="text-sm break-words text-muted-foreground">{n.body}</p>
                      <div className="flex items-center gap-3 text-xs text-muted-foreground">
                        <time dateTime={n.createdAt} title={formatDateTime(n.createdAt)}>
                          {formatRelative(n.createdAt)}
                        </time>
                        {link && (
                          <Link to={link} className="underline-offset-4 hover:underline">
                            Open {link.slice(1)}
                          </Link>
                        )}
                      </div>
                    </div>
                    {n.readAt === null && (
                      <Button
                        variant="ghost"
                        size="sm"
                        className="h-7 shrink-0 px-2 text-xs"
                        disabled={markRead.isPending}
                        onClick={() => markRead.mutate({ ids: [n.id] })}
                        aria-label={`Mark "${n.title}" read`}
                      >
                        Mark read
                      </Button>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      </PopoverContent>
    </Popover>
  );
}
