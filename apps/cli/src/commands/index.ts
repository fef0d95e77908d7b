import type { Command } from '../command';
import { cancelCommand } from './cancel.command';
import { campaignCommand } from './campaign.command';
import { conformanceCommand } from './conformance.command';
import { keysCommand } from './keys';
import { resetCommand } from './reset.command';
import { resultsCommand } from './results.command';
import { retryCommand } from './retry.command';
import { statusCommand } from './status.command';
import { submitCommand } from './submit.command';
import { tasksCommand } from './tasks.command';
import { upCommand } from './up.command';
import { watchCommand } from './watch.command';
import { workerCommand } from './worker.command';

/** In the order `dane --help` lists them: the path of a batch from start to finish. */
export const COMMANDS: readonly Command[] = [
  upCommand,
  submitCommand,
  statusCommand,
  tasksCommand,
  watchCommand,
  retryCommand,
  resetCommand,
  cancelCommand,
  campaignCommand,
  resultsCommand,
  workerCommand,
  conformanceCommand,
  keysCommand,
];
