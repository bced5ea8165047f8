"use client";

import { Waypoints } from "lucide-react";
import { useActionState } from "react";
import { type SignInState, signInAction } from "@/app/sign-in/actions";
import { Button, Card, CardContent, Field, Input, ThemeToggle } from "@/components/ui";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action, pending] = useActionState<SignInState, FormData>(signInAction, { error: null, email: "" });
  return (
    <main className="relative flex min-h-screen items-center justify-center bg-muted/40 px-4">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <div className="w-full max-w-sm">
        <div className="mb-6 flex flex-col items-center gap-2 text-center">
          <span className="flex size-10 items-center justify-center rounded-lg bg-primary text-primary-foreground">
            <Waypoints className="size-5" aria-hidden />
          </span>
          <h1 className="font-semibold text-xl">Sign in to Switchyard</h1>
          <p className="text-muted-foreground text-sm">The control plane for your models, prompts and gateway.</p>
        </div>
        <Card>
          <CardContent className="pt-6">
            <form action={action} className="flex flex-col gap-4" noValidate>
              <input type="hidden" name="callbackUrl" value={callbackUrl} />
              <Field label="E-mail" htmlFor="email">
                <Input
                  id="email"
                  name="email"
                  type="email"
                  autoComplete="email"
                  defaultValue={state.email}
                  required
                  autoFocus
                />
              </Field>
              <Field label="Password" htmlFor="password" error={state.error ?? undefined}>
                <Input id="password" name="password" type="password" autoComplete="current-password" required />
              </Field>
              <Button type="submit" loading={pending} className="w-full">
                Sign in
              </Button>
            </form>
          </CardContent>
        </Card>
        <p className="mt-4 text-center text-muted-foreground text-xs">
          First run? The admin e-mail and password are printed by <code>npm start</code>.
        </p>
      </div>
    </main>
  );
}
