// Loads a task bundle the way Lambda's Node.js runtime does (require the handler module from
// the task folder, call the exported handler with the event and a context) and writes what
// Lambda would answer: the result, or { errorType: error.name, errorMessage }.
// Usage: node lambda-runtime.js <task dir> <module.handler> <result file> < event.json
const fs = require('node:fs');
const path = require('node:path');

const [taskDir, handlerName, resultFile] = process.argv.slice(2);
const [moduleName, exportName] = handlerName.split('.');
const event = JSON.parse(fs.readFileSync(0, 'utf8'));
const deadline = Date.now() + 60_000;
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '512',
  awsRequestId: 'bundle-test',
  logGroupName: '/aws/lambda/bundle-test',
  logStreamName: 'bundle-test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => deadline - Date.now(),
};
const write = (answer) => fs.writeFileSync(resultFile, JSON.stringify(answer));
Promise.resolve()
  .then(() => require(path.join(taskDir, `${moduleName}.js`))[exportName](event, context))
  .then(
    (result) => write({ result }),
    (error) => write({ errorType: error?.name, errorMessage: error?.message }),
  )
  .then(() => process.exit(0));
