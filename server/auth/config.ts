import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { db } from "@/server/db";
import { authenticate } from "@/server/modules/users/service";

const credentials = z.object({
  email: z.string().trim().email(),
  password: z.string().min(1).max(200),
});

class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

/** Too many failures for this e-mail: the sign-in form says to wait. */
class SignInLocked extends CredentialsSignin {
  code = "locked";
}

/**
 * Auth.js with e-mail + password. Sessions are signed JWT cookies (the
 * Credentials provider requires the JWT strategy); the user is re-read from
 * the database on each API request, so deleting a user ends their access.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 7 * 24 * 3600 },
  pages: { signIn: "/sign-in" },
  logger: {
    // A wrong password is an answer, not a server error: keep it out of the error log.
    error(error) {
      if (error.name === "CredentialsSignin" || (error as { type?: string }).type === "CredentialsSignin") return;
      console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new InvalidCredentials();
        const result = await authenticate({ db: db() }, parsed.data.email, parsed.data.password);
        if (!result.ok) throw result.lockedUntil ? new SignInLocked() : new InvalidCredentials();
        return result.user;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) token.sub = user.id;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
});
