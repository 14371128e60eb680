/** What the tutorial child process tells the bench over IPC, and the one thing the bench tells it. */
export type ChildMessage =
  | { kind: 'first' }
  | { kind: 'progress'; handled: number }
  | { kind: 'done'; handled: number }
  | { kind: 'closed'; handled: number; invalid: number; duplicates: number; redelivered: number; validIds: string[] }
  | { kind: 'failed'; error: string };

export type ParentMessage = { kind: 'stop' };
