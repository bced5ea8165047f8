import { ChevronLeft, ChevronRight } from "lucide-react";
import type { ReactNode } from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { ScrollBox } from "./scroll-box";
import { Skeleton } from "./skeleton";
import { EmptyState, ErrorState } from "./states";

export interface DataTableColumn<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Applied to both the <th> and the <td>s of this column (width, alignment: "w-32 text-right"). */
  className?: string;
}

export interface DataTableProps<T> {
  columns: DataTableColumn<T>[];
  rows: T[] | undefined;
  rowKey: (row: T) => string;
  loading?: boolean;
  error?: { message: string } | null;
  onRetry?: () => void;
  /** Shown when rows is an empty array. Defaults to a generic EmptyState. */
  empty?: ReactNode;
  /** 1-based page number. */
  page?: number;
  pageSize?: number;
  total?: number;
  onPageChange?: (page: number) => void;
  /** Rendered above the table (filters, search box). */
  toolbar?: ReactNode;
  /** Accessible name for the table. */
  caption?: string;
  className?: string;
}

const nf = new Intl.NumberFormat("en-US");

/**
 * Table with built-in loading (skeleton rows), error, empty and pagination states.
 * Stateless and hook-free: it can be rendered from server or client components
 * (onPageChange / onRetry can only be passed from client components).
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  loading = false,
  error,
  onRetry,
  empty,
  page = 1,
  pageSize,
  total,
  onPageChange,
  toolbar,
  caption,
  className,
}: DataTableProps<T>) {
  const colSpan = Math.max(columns.length, 1);
  const isLoading = !error && (loading || rows === undefined);
  const skeletonRows = Math.min(Math.max(pageSize ?? 5, 3), 10);

  let body: ReactNode;
  if (error) {
    body = (
      <tr>
        <td colSpan={colSpan}>
          <ErrorState message={error.message} onRetry={onRetry} />
        </td>
      </tr>
    );
  } else if (isLoading) {
    body = Array.from({ length: skeletonRows }, (_, i) => (
      // biome-ignore lint/suspicious/noArrayIndexKey: static placeholder rows
      <tr key={i} className="border-b border-border last:border-b-0">
        {columns.map((col, c) => (
          <td key={col.key} className={cn("h-10 px-3 py-2", col.className)}>
            <Skeleton className={cn("h-4", c === 0 ? "w-3/4" : "w-1/2")} />
          </td>
        ))}
      </tr>
    ));
  } else if (!rows || rows.length === 0) {
    body = (
      <tr>
        <td colSpan={colSpan}>
          {empty ?? <EmptyState title="No results" description="There is nothing to show here yet." />}
        </td>
      </tr>
    );
  } else {
    body = rows.map((row) => (
      <tr key={rowKey(row)} className="border-b border-border transition-colors last:border-b-0 hover:bg-subtle/70">
        {columns.map((col) => (
          <td key={col.key} className={cn("h-10 px-3 py-2 align-middle", col.className)}>
            {col.cell(row)}
          </td>
        ))}
      </tr>
    ));
  }

  const showPager = pageSize != null && pageSize > 0 && total != null && (total > 0 || page > 1);
  const pageCount = showPager ? Math.max(1, Math.ceil(total / pageSize)) : 1;
  const start = showPager && total > 0 ? (page - 1) * pageSize + 1 : 0;
  const end = showPager ? Math.min(page * pageSize, total) : 0;
  const canPrev = !!onPageChange && page > 1 && !isLoading;
  const canNext = !!onPageChange && page < pageCount && !isLoading;

  return (
    <div
      className={cn(
        "overflow-hidden rounded-lg border border-border bg-card text-card-foreground shadow-xs",
        className,
      )}
    >
      {toolbar ? (
        <div className="flex flex-wrap items-center gap-2 border-b border-border px-3 py-2.5">{toolbar}</div>
      ) : null}
      <ScrollBox label={caption ? `${caption} (scrolls sideways)` : "Table (scrolls sideways)"}>
        <table className="w-full border-collapse text-left text-sm" aria-busy={isLoading || undefined}>
          {caption ? <caption className="sr-only">{caption}</caption> : null}
          <thead className="bg-subtle/60">
            <tr className="border-b border-border">
              {columns.map((col) => (
                <th
                  key={col.key}
                  scope="col"
                  className={cn("h-9 px-3 text-xs font-medium whitespace-nowrap text-muted-foreground", col.className)}
                >
                  {col.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>{body}</tbody>
        </table>
      </ScrollBox>
      {showPager && !error ? (
        <div className="flex items-center justify-between gap-2 border-t border-border px-3 py-2">
          <p className="text-xs text-muted-foreground tabular-nums" aria-live="polite">
            {total > 0 ? `Showing ${nf.format(start)}–${nf.format(end)} of ${nf.format(total)}` : "No results"}
          </p>
          <div className="flex items-center gap-1.5">
            <Button
              variant="secondary"
              size="sm"
              disabled={!canPrev}
              onClick={onPageChange ? () => onPageChange(page - 1) : undefined}
            >
              <ChevronLeft aria-hidden="true" />
              Previous
            </Button>
            <Button
              variant="secondary"
              size="sm"
              disabled={!canNext}
              onClick={onPageChange ? () => onPageChange(page + 1) : undefined}
            >
              Next
              <ChevronRight aria-hidden="true" />
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
