// The single bundle entry for every task function: each Lambda function's handler is
// `index.<taskName>` (see lambdas/tasks.ts). The handlers are added as they are written.
export {};
