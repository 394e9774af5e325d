import { useCallback, useState } from "react";
import { tokenClaims, tokenGroups } from "../../lib/tokenClaims";

/** Where the page keeps the signed-in token: this tab only, gone when it closes. */
const STORAGE_KEY = "globalws.token";

/** Who is signed in, as the token says (shown, never trusted: the API verifies the token itself). */
export interface SignedIn {
  readonly token: string;
  readonly sub: string;
  readonly groups: readonly string[];
  /** Expiry, in epoch milliseconds, when the token has one. */
  readonly expiresAt?: number;
}

function signedInWith(token: string, groupsClaim: string): SignedIn | undefined {
  const claims = tokenClaims(token);
  if (!claims?.sub) return undefined;
  return { token, sub: claims.sub, groups: tokenGroups(claims, groupsClaim), expiresAt: claims.exp === undefined ? undefined : claims.exp * 1000 };
}

/**
 * The page's sign-in: a pasted OpenID Connect token (locally: `npx globalws token --sub NAME`),
 * kept for this tab. `signIn` answers a sentence saying what is wrong when the text is not a
 * token with a user; whether the API accepts it, the API says.
 */
export function useSignIn(groupsClaim: string) {
  const [user, setUser] = useState<SignedIn | undefined>(() => {
    const kept = sessionStorage.getItem(STORAGE_KEY);
    return kept ? signedInWith(kept, groupsClaim) : undefined;
  });
  const signIn = useCallback(
    (text: string): string | undefined => {
      const signed = signedInWith(text.trim(), groupsClaim);
      if (!signed) return "This is not a sign-in token: paste a JWT (three parts separated by dots) whose payload names a user (sub).";
      sessionStorage.setItem(STORAGE_KEY, signed.token);
      setUser(signed);
      return undefined;
    },
    [groupsClaim],
  );
  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setUser(undefined);
  }, []);
  return { user, signIn, signOut };
}
