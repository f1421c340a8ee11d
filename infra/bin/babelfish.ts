import { App } from 'aws-cdk-lib';
import { BabelfishStack } from '../src/babelfish-stack';
import { defaultGpuTranscribe } from '../src/constructs/gpu-transcribe-service';
import { environmentNames, environments, type EnvironmentName } from '../src/environments';
import { RegistryStack } from '../src/registry-stack';

/**
 * The CDK app. Inputs come as context so nothing is guessed at deploy time:
 *   -c env=dev|staging|prod        only that environment's stack (default: all of them)
 *   -c env=registry                only the ECR repositories (no other input needed)
 *   -c imageTag=<git sha>          the image tag to run (required for environment stacks)
 *   -c certificateArn=<acm arn>    the HTTPS certificate (required for environment stacks)
 *   -c gpuTranscribe=g5.xlarge     also a transcribe service on GPU instances of that type
 *                                  (the worker image tagged <imageTag>-gpu); default: none
 *   -c llmBaseUrl=<url> -c llmModel=<name> [-c llmApiKeySecret=<secret name>]
 *                                  the llm engine's OpenAI-compatible server for the translate
 *                                  workers; the key comes from Secrets Manager (default secret
 *                                  /babelfish/llm-api-key); default: no llm engine
 * Account and region: CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (the deploy role's), or the
 * environment's default region.
 */
const app = new App();
const only = app.node.tryGetContext('env') as EnvironmentName | 'registry' | undefined;
if (only && only !== 'registry' && !environmentNames.includes(only)) {
  throw new Error(`Unknown env "${only}" (use registry, ${environmentNames.join(', ')})`);
}
const required = (key: string): string => {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== 'string' || !value) throw new Error(`Missing context: pass -c ${key}=…`);
  return value;
};

const gpuInstanceType = app.node.tryGetContext('gpuTranscribe') as string | undefined;
const gpuTranscribe = gpuInstanceType ? { ...defaultGpuTranscribe, instanceType: gpuInstanceType } : undefined;

const llmBaseUrl = app.node.tryGetContext('llmBaseUrl') as string | undefined;
const llm = llmBaseUrl
  ? { baseUrl: llmBaseUrl, model: required('llmModel'), apiKeySecretName: app.node.tryGetContext('llmApiKeySecret') as string | undefined }
  : undefined;

const account = process.env.CDK_DEFAULT_ACCOUNT;
new RegistryStack(app, 'BabelfishRegistry', { env: { account, region: process.env.CDK_DEFAULT_REGION ?? environments.prod.region } });
const names = only === 'registry' ? [] : only ? [only] : environmentNames;
for (const name of names) {
  const settings = environments[name];
  new BabelfishStack(app, `Babelfish-${name}`, {
    env: { account, region: process.env.CDK_DEFAULT_REGION ?? settings.region },
    settings,
    imageTag: required('imageTag'),
    certificateArn: required('certificateArn'),
    gpuTranscribe,
    llm,
    tags: { project: 'babelfish', environment: name },
    terminationProtection: settings.retainData,
  });
}
