// The typed error a call fails with; the test fails if the call succeeds or throws anything else.
import { MigrationError } from '../../lambdas/errors';

export async function migrationFailure(call: Promise<unknown>): Promise<MigrationError> {
  try {
    await call;
  } catch (err) {
    expect(err).toBeInstanceOf(MigrationError);
    return err as MigrationError;
  }
  throw new Error('expected the call to fail');
}
