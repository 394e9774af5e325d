import { useState } from "react";
import type { SignedIn } from "../signIn";

/**
 * Sign in with a token from the stack's OpenID Connect issuer (locally: `npx globalws token --sub
 * alice --groups members`), or sign out; once signed in, the page publishes and subscribes as that
 * user, with the rights their groups give.
 */
export function SignIn(props: { user?: SignedIn; required: boolean; onSignIn(token: string): string | undefined; onSignOut(): void }) {
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string>();
  if (props.user) {
    const { sub, groups, expiresAt } = props.user;
    return (
      <section className="card signin" data-testid="signed-in">
        <div className="row spread">
          <span>
            Signed in as <strong data-testid="signed-in-user">{sub}</strong>
            {groups.length > 0 ? ` (groups: ${groups.join(", ")})` : " (no groups)"}
            {expiresAt !== undefined && <span className="muted">, until {new Date(expiresAt).toLocaleTimeString()}</span>}
          </span>
          <button type="button" onClick={props.onSignOut}>Sign out</button>
        </div>
      </section>
    );
  }
  const submit = () => {
    const refused = props.onSignIn(draft);
    setProblem(refused);
    if (!refused) setDraft("");
  };
  return (
    <section className="card signin">
      <h2>Sign in</h2>
      <p className="muted">
        {props.required ? "This stack has no API key: sign in to publish and subscribe. " : "Signed out, this page uses the API key. "}
        Paste a token from the stack's issuer; locally, get one with <code>npx globalws token --sub alice --groups members</code>.
      </p>
      <textarea aria-label="Token" rows={2} value={draft} onChange={(event) => setDraft(event.target.value)} placeholder="eyJhbGciOi…" />
      <div className="row">
        <button type="button" className="primary" disabled={!draft.trim()} onClick={submit}>Sign in</button>
      </div>
      {problem && <p className="banner error" role="alert">{problem}</p>}
    </section>
  );
}
