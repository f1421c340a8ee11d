import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { WorkerRole } from '../environments';

/** The `llm` translation engine's OpenAI-compatible server (packages/config: LLM_*). */
export type LlmServerSettings = {
  /** LLM_BASE_URL, e.g. https://api.openai.com/v1 or an Ollama/vLLM service in the VPC. */
  baseUrl: string;
  /** LLM_MODEL, e.g. gpt-4o-mini (a job may name another model on the same server). */
  model: string;
  /**
   * Secrets Manager secret (plain string) that tasks get as LLM_API_KEY; created once per
   * account by an operator, like the Hugging Face token. Default /babelfish/llm-api-key.
   * A server that ignores keys (Ollama) still needs one: store any value.
   */
  apiKeySecretName?: string;
};

export const defaultLlmApiKeySecretName = '/babelfish/llm-api-key';

/**
 * The roles whose processes call the LLM server: only translation does. The API never
 * translates and, with ENGINE_CATALOGUE=workers (the default), learns what the translate
 * workers can do from what they publish, so it needs neither the address nor the key.
 */
export const llmRoles: readonly WorkerRole[] = ['translate'];

/** What a task that calls the LLM server adds: the address and model as config, the key as an ECS secret. */
export type LlmTaskSettings = { environment: Record<string, string>; secrets: Record<string, ecs.Secret> };

export function llmTaskSettings(scope: Construct, llm: LlmServerSettings): LlmTaskSettings {
  // packages/config refuses these at start-up; refusing them at synth saves a failed deploy.
  if (!URL.canParse(llm.baseUrl)) throw new Error(`llm.baseUrl is not a URL: ${llm.baseUrl}`);
  if (!llm.model.trim()) throw new Error('llm.model is required with llm.baseUrl');
  const apiKey = secretsmanager.Secret.fromSecretNameV2(scope, 'LlmApiKey', llm.apiKeySecretName ?? defaultLlmApiKeySecretName);
  return {
    environment: { LLM_BASE_URL: llm.baseUrl, LLM_MODEL: llm.model },
    // Injected by ECS at start (the execution role gets read access to this secret only): the
    // key never appears in the task definition, the template or `describe-task-definition`.
    secrets: { LLM_API_KEY: ecs.Secret.fromSecretsManager(apiKey) },
  };
}
