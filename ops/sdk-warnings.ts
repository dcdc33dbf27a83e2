// Imported first by the CLI: the AWS SDK warns about Node 20 when it loads, which is noise for an
// ops tool (deployed functions run on nodejs22.x). An explicit setting in the environment wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
export {};
