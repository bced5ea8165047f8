"use client";

import { type QueryKey, type UseMutationOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { fieldError } from "@/components/providers/errors";
import { toast } from "@/components/ui";

/**
 * The mutation behind a dialog's form. `submit(input)` runs it and, when it succeeds, toasts
 * `success`, invalidates the `invalidate` queries, closes the dialog and calls `onDone` (to open what was
 * created, say). When it fails the dialog stays open and the error stays on the mutation, for the
 * form to show: `fieldError(name)` under each field, `<FormError error={m.error} fields=... />` for
 * the rest. Closing the dialog any way clears the error (and whatever `onClose` clears).
 *
 *   const create = useFormMutation(trpc.routes.create.mutationOptions(), {
 *     onClose: () => onOpenChange(false),
 *     success: (_, input) => `Created route ${input.name}`,
 *     invalidate: [trpc.routes.list.queryKey()],
 *   });
 *   <FormDialog open={open} {...create.formDialog} onSubmit={() => create.submit({ name, ... })}>
 */
export function useFormMutation<TData, TError, TInput, TContext>(
  options: UseMutationOptions<TData, TError, TInput, TContext>,
  {
    onClose,
    success,
    invalidate = [],
    onDone,
  }: {
    /** Closes the dialog (and resets the form's own state, if it keeps any between openings). */
    onClose: () => void;
    success: (data: TData, input: TInput) => string;
    invalidate?: QueryKey[] | ((data: TData) => QueryKey[]);
    onDone?: (data: TData) => void;
  },
) {
  const queryClient = useQueryClient();
  const mutation = useMutation(options);
  const close = () => {
    onClose();
    mutation.reset();
  };
  const submit = async (input: TInput) => {
    let data: TData;
    try {
      data = await mutation.mutateAsync(input);
    } catch {
      return; // shown in the form
    }
    toast.success(success(data, input));
    for (const queryKey of typeof invalidate === "function" ? invalidate(data) : invalidate) {
      void queryClient.invalidateQueries({ queryKey });
    }
    close();
    onDone?.(data);
  };
  return {
    submit,
    close,
    error: mutation.error,
    pending: mutation.isPending,
    /** The message of the error that names this form field, if any. */
    fieldError: (field: string) => fieldError(mutation.error, field),
    /** FormDialog's `onOpenChange` (closing clears the error) and `pending`. */
    formDialog: { onOpenChange: (open: boolean) => !open && close(), pending: mutation.isPending },
  };
}
