"use client";

import { LogOut } from "lucide-react";
import { signOutAction } from "@/app/(console)/actions";
import { Button, ThemeToggle } from "@/components/ui";

export function UserMenu({ user }: { user: { email: string; name: string } }) {
  return (
    <div className="flex items-center gap-2">
      <span
        aria-hidden
        className="flex size-8 shrink-0 items-center justify-center rounded-full bg-muted font-medium text-xs uppercase"
      >
        {user.name.slice(0, 2)}
      </span>
      <div className="min-w-0 flex-1">
        <div className="truncate font-medium text-sm">{user.name}</div>
        <div className="truncate text-muted-foreground text-xs">{user.email}</div>
      </div>
      <ThemeToggle />
      <form action={signOutAction}>
        <Button type="submit" variant="ghost" size="icon" aria-label="Sign out" title="Sign out">
          <LogOut className="size-4" aria-hidden />
        </Button>
      </form>
    </div>
  );
}
