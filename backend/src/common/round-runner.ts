import { runAsPlatform } from './tenant-context';

/**
 * Runs a task in rounds, one at a time. A request while a round runs schedules exactly one more
 * round, so work that arrives meanwhile is picked up without piling up concurrent rounds.
 */
export class RoundRunner {
  private running?: Promise<void>;
  private again = false;
  private stopped = false;

  /**
   * @param reason why the round spans tenants: it claims work of every tenant, so it runs in the
   *   platform scope (see tenant-context.ts) and runs each claimed item in its own tenant's scope.
   */
  constructor(
    private readonly reason: string,
    private readonly round: () => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = runAsPlatform(this.reason, this.round)
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops scheduling rounds and waits for the one in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}
