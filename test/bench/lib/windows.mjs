/**
 * The most instants that fall into one sliding interval `(t − windowMs, t]`, the window the
 * limiter enforces. The maximum is always reached with `t` at one of the instants.
 *
 * @example
 * maxInWindow([0, 500, 999, 1000], 1000); // 3
 */
export function maxInWindow(instants, windowMs) {
  const sorted = [...instants].sort((a, b) => a - b);
  let best = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while (sorted[first] <= sorted[last] - windowMs) first++;
    best = Math.max(best, last - first + 1);
  }
  return best;
}

/**
 * A lower bound on the true maximum that needs no clock but the client's: each admission
 * happened somewhere between its request's send and its response's arrival, so requests whose
 * whole send→receive spans fit together inside less than `windowMs` were certainly admitted
 * within one window. A result above the quota proves over-admission.
 *
 * @example
 * provenInWindow([{ sentAt: 0, receivedAt: 5 }, { sentAt: 990, receivedAt: 1003 }], 1000); // 1
 */
export function provenInWindow(spans, windowMs) {
  const sorted = [...spans].sort((a, b) => a.sentAt - b.sentAt);
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    const start = sorted[i].sentAt;
    let count = 0;
    for (let j = i; j < sorted.length && sorted[j].sentAt < start + windowMs; j++) {
      if (sorted[j].receivedAt < start + windowMs) count++;
    }
    best = Math.max(best, count);
  }
  return best;
}
