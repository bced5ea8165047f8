import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { z } from "zod";
import { CLIENT_ADDRESS_HEADER } from "@/server/auth/client-address";
import { currentSessionUser, endSessions } from "@/server/auth/session-version";
import { db } from "@/server/db";
import { authenticate } from "@/server/modules/users/service";

const credentials = z.object({
  email: z.string().trim().email(),
  password: z.string().min(1).max(200),
});

class InvalidCredentials extends CredentialsSignin {
  code = "invalid_credentials";
}

/** Throttled (server/auth/sign-in-throttle.ts): the sign-in form says how long to wait. */
export class SignInThrottled extends CredentialsSignin {
  code = "throttled";
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

/**
 * Auth.js with e-mail + password. Sessions are signed JWT cookies (the
 * Credentials provider requires the JWT strategy), so a cookie cannot be
 * deleted server-side: each carries the user's session version, re-checked
 * against the database on every use (`jwt` below). Signing out, removal from
 * a project, a role change and a password change bump it (session-version.ts),
 * which ends every session of that user, on every replica.
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
      async authorize(raw, request) {
        const parsed = credentials.safeParse(raw);
        if (!parsed.success) throw new InvalidCredentials();
        // Set by our HTTP server from the socket (and trusted proxies only); absent elsewhere, which shares one bucket.
        const address = request.headers.get(CLIENT_ADDRESS_HEADER) ?? "unknown";
        const result = await authenticate({ db: db() }, parsed.data.email, parsed.data.password, { address });
        if (!result.ok)
          throw result.retryAfterSeconds ? new SignInThrottled(result.retryAfterSeconds) : new InvalidCredentials();
        return result.user;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user?.id) {
        // Sign-in: authorize() returned the user with its current session version.
        token.sub = user.id;
        token.sv = (user as { sessionVersion?: number }).sessionVersion;
        return token;
      }
      if (!token.sub) return null;
      // Null ends the session: Auth.js answers no session and clears the cookie.
      const current = await currentSessionUser(db(), token.sub, token.sv);
      if (!current) return null;
      return { ...token, email: current.email, name: current.name };
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const userId = "token" in message ? message.token?.sub : undefined;
      if (userId) await endSessions(db(), userId);
    },
  },
});
