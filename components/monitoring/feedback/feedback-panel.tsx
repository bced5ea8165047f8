"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ThumbsDown, ThumbsUp } from "lucide-react";
import { useMemo, useState } from "react";
import { formatDateTimeSeconds } from "@/components/format";
import { useTRPC } from "@/components/providers/trpc";
import { useLiveValidation } from "@/components/providers/use-live-validation";
import { useProjectAccess } from "@/components/providers/use-project-access";
import { Badge, Button, Field, Textarea, toast } from "@/components/ui";
import { feedbackFormSchema, THUMBS } from "@/lib/feedback";

const NO_RIGHT = "Giving feedback needs the feedback:write permission (editors and above)";

/** A request's scores (from people and scripts) and the signed-in user's thumbs with an optional comment. */
export function FeedbackPanel({ requestId }: { requestId: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const access = useProjectAccess();
  const canGive = access.can("feedback:write");
  const list = useQuery(trpc.requests.feedback.queryOptions({ id: requestId }));
  const mine = list.data?.items.find((i) => i.mine && i.name === THUMBS);
  const [comment, setComment] = useState<string | null>(null);
  const draft = useMemo(() => ({ comment: comment ?? "" }), [comment]);
  const v = useLiveValidation(feedbackFormSchema, draft);
  const give = useMutation(
    trpc.requests.addFeedback.mutationOptions({
      onSuccess: (row) => {
        toast.success(row.value >= 1 ? "Thanks: marked as good" : "Thanks: marked as bad");
        void queryClient.invalidateQueries({ queryKey: trpc.requests.feedback.queryKey({ id: requestId }) });
      },
      onError: (error) => toast.error(error.message),
    }),
  );
  const send = (value: number) => {
    if (!v.valid) return v.showAll();
    const text = (comment ?? mine?.comment ?? "").trim();
    give.mutate({ id: requestId, name: THUMBS, value, ...(text ? { comment: text } : {}) });
  };
  const thumb = (value: number, label: string, Icon: typeof ThumbsUp) => (
    <Button
      type="button"
      size="sm"
      variant={mine?.value === value ? "primary" : "secondary"}
      aria-pressed={mine?.value === value}
      disabled={!canGive || give.isPending}
      title={canGive ? label : NO_RIGHT}
      onClick={() => send(value)}
    >
      <Icon aria-hidden="true" /> {label}
    </Button>
  );

  return (
    <section aria-label="Feedback" className="flex flex-col gap-2">
      <h3 className="font-medium text-sm">Feedback</h3>
      {list.data && list.data.summary.length > 0 && (
        <p className="flex flex-wrap gap-1.5" data-testid="feedback-summary">
          {list.data.summary.map((s) => (
            <Badge key={s.name} tone="info">
              {s.name}:{" "}
              {s.name === THUMBS
                ? `${Math.round(s.mean * s.count)} of ${s.count} up`
                : `mean ${s.mean.toFixed(2)} (${s.count})`}
            </Badge>
          ))}
        </p>
      )}
      <Field label="Comment (optional)" htmlFor={`feedback-comment-${requestId}`} error={v.error("comment")}>
        <Textarea
          id={`feedback-comment-${requestId}`}
          rows={2}
          value={comment ?? mine?.comment ?? ""}
          disabled={!canGive}
          title={canGive ? undefined : NO_RIGHT}
          placeholder="What was right or wrong about this answer?"
          onChange={(e) => setComment(e.target.value)}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        {thumb(1, "Good", ThumbsUp)}
        {thumb(0, "Bad", ThumbsDown)}
      </div>
      {list.error && <p className="text-danger text-xs">Feedback could not be loaded: {list.error.message}</p>}
      {list.data && list.data.items.length > 0 && (
        <ul className="flex flex-col gap-1 text-xs" aria-label="Scores given">
          {list.data.items.map((item) => (
            <li key={item.id} className="flex flex-wrap items-baseline gap-x-2">
              <code className="font-mono">
                {item.name} = {item.value}
              </code>
              <span className="text-muted-foreground">
                {item.givenBy}
                {item.endUser ? ` for ${item.endUser}` : ""} · {formatDateTimeSeconds(item.createdAt)}
              </span>
              {item.comment && <span className="wrap-anywhere">“{item.comment}”</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
