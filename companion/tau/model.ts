// Written by `npm run eval -- tau --write` (fitted on the kit's 25 labelled paintings); do not edit by hand.
import type { TauModel } from './classifier.js';

export const TAU_MODEL: TauModel = {
  painterly: { no: -2.1845068111053028, yes: -3.266293243726489, variance: 0.37782998033980436 },
  expressive: { no: -0.4914304906382285, yes: -0.3553229206036308, variance: 0.01629379722655866 },
  tau: { realistic: 1.099680605898084, impressionist: 5.1976529803934834, expressive: 9.446130515483553 },
};
