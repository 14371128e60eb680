/** `work`, or a rejection saying that (`what`) gave no answer within `ms`; the work itself goes on. */
export function withDeadline<T>(work: Promise<T>, ms: number, what?: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    const message = `no answer within ${ms} ms`;
    timer = setTimeout(() => reject(new Error(what ? `${what}: ${message}` : message)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
