// Preloaded with `node --require` (NODE_OPTIONS) into a process whose output must not depend on
// the day it runs: `new Date()` and `Date.now()` answer FIXED_CLOCK (an ISO instant) instead of
// the wall clock. Used by the recorded-plan test, whose secrets' rotation period follows the date.
"use strict";
const fixed = process.env.FIXED_CLOCK;
if (fixed) {
  const at = Date.parse(fixed);
  if (Number.isNaN(at)) throw new Error(`FIXED_CLOCK is ${JSON.stringify(fixed)}, not an ISO instant`);
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(at);
      else super(...args);
    }
    static now() {
      return at;
    }
  }
  globalThis.Date = FixedDate;
}
