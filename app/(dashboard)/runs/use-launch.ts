"use client";
// A launch form's server side: the projection of the request (runs.preview, kept while the next one loads, never
// retried) and the launch, which refreshes the runs and opens the new run's page. One for the launch form and the
// federated launch form.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/app/_trpc/client";
import type { RouterInputs } from "@/app/_trpc/types";

export function useLaunch(request: RouterInputs["runs"]["launch"], ready: boolean) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const preview = useQuery({ ...trpc.runs.preview.queryOptions(request), enabled: ready, placeholderData: keepPreviousData, retry: false });
  const launch = useMutation(
    trpc.runs.launch.mutationOptions({
      onSuccess: async (runId) => {
        await queryClient.invalidateQueries({ queryKey: trpc.runs.pathKey() });
        router.push(`/runs/${runId}`);
      },
    }),
  );
  return { preview, launch };
}
