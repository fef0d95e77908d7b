import { Injectable } from '@nestjs/common';

/**
 * In-process wake-ups of the dispatcher: whatever makes tasks dispatchable in this process (a reply
 * scheduling a retry, a dependency release, a sweep, a DANE-event from another process) asks here;
 * the dispatcher listens. `dueChanged`: a back-off (not_before) was just set.
 */
@Injectable()
export class DispatchWakeups {
  private listener?: (dueChanged: boolean) => void;

  listen(listener: (dueChanged: boolean) => void): void {
    this.listener = listener;
  }

  request(dueChanged = false): void {
    this.listener?.(dueChanged);
  }
}
