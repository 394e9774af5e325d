/** Waits until `check` holds, looking every 20 ms; fails after `timeoutMs` (so a broken test ends instead of hanging). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > giveUp) throw new Error(`Never happened: ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
