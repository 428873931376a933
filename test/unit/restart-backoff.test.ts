// Restarts back off: the RestartBackoff Wait before each restart doubles, up to its cap, so a
// fault that persists (a link down for minutes) does not use up restartLimit at once.
import {
  RESTART_BACKOFF_MAX_SECONDS,
  RESTART_BACKOFF_SECONDS,
  restartBackoffSeconds,
} from '../../lambdas/domain/migration/recovery';

describe('the wait before a restart', () => {
  it.each([
    [1, RESTART_BACKOFF_SECONDS],
    [2, RESTART_BACKOFF_SECONDS * 2],
    [3, RESTART_BACKOFF_SECONDS * 4],
    [20, RESTART_BACKOFF_MAX_SECONDS],
  ])('restart %i waits %i s', (restart, seconds) => {
    expect(restartBackoffSeconds(restart)).toBe(seconds);
  });
});
