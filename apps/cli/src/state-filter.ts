import { UsageError } from './errors/usage-error';
import { parseStateName, stateList } from './output/state-label';
import { stringList } from './parse-argv';

/** `--state 500 --state error,412` → codes; a name that is no state is a usage error listing them. */
export function stateOptions(value: unknown, command: string): number[] {
  return stringList(value)
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map((v) => {
      const code = parseStateName(v);
      if (code === undefined) throw new UsageError(`--state ${JSON.stringify(v)} is not a task state; states: ${stateList()}`, command);
      return code;
    });
}
