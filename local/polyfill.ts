// Promise.withResolvers for Node 20: aws-local-stepfunctions targets Node 22 and calls it
// for every Task state's timeout. Import this module before the library.

interface Resolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

type PromiseWithResolvers = { withResolvers?: <T>() => Resolvers<T> };

if (typeof (Promise as PromiseWithResolvers).withResolvers !== 'function') {
  // As the spec's NewPromiseCapability(C): `this` is the constructor, so subclasses get their
  // own kind of promise, and a non-constructor `this` throws a TypeError from `new`.
  Object.defineProperty(Promise, 'withResolvers', {
    value: function withResolvers<T>(this: PromiseConstructor): Resolvers<T> {
      let resolve!: Resolvers<T>['resolve'];
      let reject!: Resolvers<T>['reject'];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

export {};
