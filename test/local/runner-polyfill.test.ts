// Promise.withResolvers on Node 20, which aws-local-stepfunctions calls for every Task state.

import '../../local/polyfill';

type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason?: unknown) => void;
};
const withResolvers = (Promise as unknown as { withResolvers: WithResolvers }).withResolvers;

describe('Promise.withResolvers', () => {
  it('settles the promise it returns through resolve and reject', async () => {
    const resolved = withResolvers.call(Promise);
    resolved.resolve(42);
    await expect(resolved.promise).resolves.toBe(42);

    const rejected = withResolvers.call(Promise);
    rejected.reject(new Error('no'));
    await expect(rejected.promise).rejects.toThrow('no');
  });

  it('builds the promise with the constructor it is called on, as the spec does', () => {
    class Tracked<T> extends Promise<T> {}

    expect(withResolvers.call(Tracked).promise).toBeInstanceOf(Tracked);
    expect(() => withResolvers.call({})).toThrow(TypeError);
  });

  it('is not enumerable, as built-ins are not', () => {
    expect(Object.keys(Promise)).not.toContain('withResolvers');
  });
});
