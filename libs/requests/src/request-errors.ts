/**
 * What a request's work needs is held by someone else now (another rebuild of the projection, a
 * CLI's --here): no failure of the request's; its executor keeps the claim and tries again.
 */
export class RequestBusy extends Error {
  readonly retriable = true;
  constructor(message: string) {
    super(message);
    this.name = 'RequestBusy';
  }
}

/**
 * The work was stopped from outside, between two of its steps: its executor stops or lost its
 * session (and with it the request's lock). The request is left running for the next claim.
 */
export class RequestInterrupted extends Error {
  readonly retriable = true;
  constructor(reason: string) {
    super(`interrupted: ${reason}`);
    this.name = 'RequestInterrupted';
  }
}
