import { RefuseJobError } from '@dane/protocol';

/**
 * Throw from a callback when this worker cannot take the task right now (busy GPU, missing licence,
 * maintenance window). What happens next: the SDK acknowledges the message and replies with header
 * `x-dane-kind: refused`; the server puts the task back and dispatches it again after a back-off. The Python
 * worker nacked with requeue instead, which made a refusing worker spin (docs/protocol.md, Refusals).
 */
export class RefuseJob extends RefuseJobError {
  constructor(reason = 'Job refused') {
    super(reason);
  }
}
