import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BabelfishStack, type BabelfishStackProps } from '../../src/babelfish-stack';
import { environments, type EnvironmentName } from '../../src/environments';
import { RegistryStack } from '../../src/registry-stack';

export const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const env = { account: '123456789012', region: 'eu-west-1' };

/**
 * Synthesizes one environment's stack (slow: call once per test file, in module scope); `extra`
 * adds optional props (llm, gpuTranscribe) to the same stack name, so derived names match.
 */
export function synthEnvironment(name: EnvironmentName, extra: Partial<BabelfishStackProps> = {}): Template {
  const app = new App();
  const stack = new BabelfishStack(app, `Test-${name}`, { env, settings: environments[name], imageTag: 'abc1234', certificateArn, ...extra });
  return Template.fromStack(stack);
}

export function synthRegistry(): Template {
  return Template.fromStack(new RegistryStack(new App(), 'TestRegistry', { env }));
}

type Resource = { Type: string; Properties: Record<string, any> };

/** Resources of one type, by logical id. */
export function resources(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Container definitions keyed by container name (api, transcribe, translate, mux). */
export function containers(template: Template): Record<string, Record<string, any>> {
  const byName: Record<string, Record<string, any>> = {};
  for (const [, task] of resources(template, 'AWS::ECS::TaskDefinition')) {
    for (const container of task.Properties.ContainerDefinitions) byName[container.Name] = { ...container, task: task.Properties };
  }
  return byName;
}

/** Every IAM statement attached to a role whose logical id contains `fragment`. */
export function statementsOfRoles(template: Template, fragment: string): Record<string, any>[] {
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.includes(fragment)))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}
