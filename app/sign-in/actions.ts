"use server";

import { AuthError } from "next-auth";
import { SignInThrottled, signIn } from "@/server/auth/config";

export interface SignInState {
  error: string | null;
  email: string;
}

/** Only same-site paths may be redirect targets after sign-in. */
function safeCallback(value: FormDataEntryValue | null): string {
  const path = typeof value === "string" ? value : "/";
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

const waitText = (seconds: number) =>
  seconds < 90 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your e-mail and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: safeCallback(form.get("callbackUrl")) });
  } catch (error) {
    // signIn redirects by throwing; only real auth failures are reported here.
    if (error instanceof SignInThrottled)
      return {
        error: `Too many sign-in attempts from here. Try again in ${waitText(error.retryAfterSeconds)}.`,
        email,
      };
    if (error instanceof AuthError) return { error: "Wrong e-mail or password.", email };
    throw error;
  }
  return { error: null, email };
}
