/** Polls `read` until it returns something truthy, for effects that land asynchronously. */
export const waitFor = async <T>(
  read: () => Promise<T | null | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
