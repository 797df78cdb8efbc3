// Start Run on a config that has a `sweep:` section (issue 15): a single run ignores the sweep, so the
// user is asked whether to start the sweep instead or one run of the config as written. The question and
// the decision from the answer, without `vscode` (Node tests); startRun.ts shows it as a modal dialog.
import { parse } from 'yaml';
import { sweepIgnored } from '../common/sweep';

export const START_SWEEP = 'orpoLab.startSweep';
export const START_THE_SWEEP = 'Start Sweep';
export const START_ONE_RUN = 'Start One Run';

export interface SweepQuestion {
  message: string;
  detail: string;
  buttons: [typeof START_THE_SWEEP, typeof START_ONE_RUN];
}

/** The question before starting one run of `name`, or undefined when its text has no sweep (or does not parse). */
export function sweepQuestion(text: string, name: string): SweepQuestion | undefined {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch {
    return undefined; // validation reports it
  }
  const note = sweepIgnored(raw, text, name);
  if (!note) return undefined;
  const grid = note.variants > 0 ? `${note.variants} variant${note.variants === 1 ? '' : 's'}` : 'a grid';
  return {
    message: `${name} has a sweep: section (${grid}, line ${note.line}). Start the sweep, or one run that ignores it?`,
    detail: `One run trains the config once, as written, without its sweep: section. The sweep runs every variant (orpo-lab sweep ${name}).`,
    buttons: [START_THE_SWEEP, START_ONE_RUN],
  };
}

/** What Start Run does with the answer: start the sweep, one run, or nothing (dialog dismissed). */
export function sweepDecision(answer: string | undefined): 'sweep' | 'run' | 'cancel' {
  if (answer === START_THE_SWEEP) return 'sweep';
  return answer === START_ONE_RUN ? 'run' : 'cancel';
}
