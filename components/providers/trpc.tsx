"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, loggerLink } from "@trpc/client";
import type { inferRouterOutputs } from "@trpc/server";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { type ReactNode, useState } from "react";
import superjson from "superjson";
import { MAX_TRPC_BATCH } from "@/lib/trpc-batch";
// Zod messages in words for the forms' live validation (installs zod's global error map).
import "@/lib/validation-messages";
import type { AppRouter } from "@/server/trpc/root";

const context = createTRPCContext<AppRouter>();
const TRPCProvider = context.TRPCProvider;
/** `useTRPC()` inside any console component: `useQuery(trpc.apiKeys.list.queryOptions({}))`. */
export const useTRPC = context.useTRPC;

/** What a procedure returns, for props and rows typed by a query: `RouterOutputs["models"]["get"]`. */
export type RouterOutputs = inferRouterOutputs<AppRouter>;

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // Auth and validation failures will not fix themselves on retry.
        retry: (count, error) => {
          const status = (error as { data?: { httpStatus?: number } })?.data?.httpStatus ?? 500;
          return status >= 500 && count < 2;
        },
      },
    },
  });
}

/**
 * One query cache per project: mount with `key={projectId}` so switching
 * project never shows another project's cached data.
 */
export function TRPCReactProvider({ projectId, children }: { projectId: string | null; children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() =>
    createTRPCClient<AppRouter>({
      links: [
        loggerLink({
          enabled: (op) =>
            process.env.NODE_ENV === "development" && op.direction === "down" && op.result instanceof Error,
        }),
        httpBatchLink({
          url: "/api/trpc",
          // The server refuses larger batches (lib/trpc-batch.ts); the link splits them instead.
          maxItems: MAX_TRPC_BATCH,
          transformer: superjson,
          headers: () => (projectId ? { "x-switchyard-project": projectId } : {}),
        }),
      ],
    }),
  );
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
