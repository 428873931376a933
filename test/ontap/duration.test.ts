// lag_time arrives as an ISO 8601 duration; the transfer poll compares it with a threshold.
import { durationSeconds } from '../../lambdas/ontap/duration';

describe('durationSeconds', () => {
  it.each([
    ['PT0S', 0],
    ['PT12S', 12],
    ['PT1H2M3S', 3723],
    ['PT8H35M42S', 30942],
    ['P1DT5M', 86_700],
    ['PT1.5S', 1.5],
  ])('%s is %s seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each([[undefined], [''], ['P'], ['PT'], ['12'], ['PT5X']])('%s is not a duration', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });
});
