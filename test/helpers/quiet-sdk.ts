/**
 * Imported (for its effect) before any AWS SDK client is made in the tests: turns off the SDK's
 * notice that its releases after January 2027 need Node.js 22, which it prints once per process
 * (so once per test file) on Node.js 20. AWS documents this switch for it (aws/aws-sdk-js-v3#7983).
 * orgsim supports Node.js 20; the notice is about the SDK, and only buries real test output.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

export {};
