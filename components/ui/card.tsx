import type { ComponentProps, ReactNode } from "react";
import { cn } from "./cn";

export type CardProps = ComponentProps<"div">;

export function Card({ className, ...props }: CardProps) {
  return (
    <div
      className={cn("rounded-lg border border-border bg-card text-card-foreground shadow-xs", className)}
      {...props}
    />
  );
}

export interface CardHeaderProps extends ComponentProps<"div"> {
  /** Right-aligned slot (buttons, menus) next to the title/description. */
  actions?: ReactNode;
}

export function CardHeader({ className, actions, children, ...props }: CardHeaderProps) {
  if (actions) {
    return (
      <div className={cn("flex items-start justify-between gap-4 px-5 pt-5", className)} {...props}>
        <div className="flex min-w-0 flex-col gap-1">{children}</div>
        <div className="flex shrink-0 items-center gap-2">{actions}</div>
      </div>
    );
  }
  return (
    <div className={cn("flex flex-col gap-1 px-5 pt-5", className)} {...props}>
      {children}
    </div>
  );
}

export function CardTitle({ className, ...props }: ComponentProps<"h3">) {
  return <h3 className={cn("text-sm leading-5 font-semibold tracking-tight text-foreground", className)} {...props} />;
}

export function CardDescription({ className, ...props }: ComponentProps<"p">) {
  return <p className={cn("text-sm text-muted-foreground", className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentProps<"div">) {
  return <div className={cn("p-5", className)} {...props} />;
}
