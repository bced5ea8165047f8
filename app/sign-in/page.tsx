import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { SignInForm } from "@/components/auth/sign-in-form";
import { sessionPrincipal } from "@/server/auth/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  if (await sessionPrincipal()) redirect("/");
  const { callbackUrl } = await searchParams;
  return <SignInForm callbackUrl={callbackUrl ?? "/"} />;
}
