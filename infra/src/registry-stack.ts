import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';

export const imageRepositories = { api: 'babelfish/api', worker: 'babelfish/worker' } as const;

/**
 * The image repositories, once per account: CI builds an image once and every environment runs
 * that same digest (dev → staging → prod promotion), so repositories are not per environment.
 */
export class RegistryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    for (const [name, repositoryName] of Object.entries(imageRepositories)) {
      const repository = new ecr.Repository(this, `${name}Repository`, {
        repositoryName,
        imageScanOnPush: true,
        // Release tags (git SHAs) are never overwritten, so a deployed tag always means one image.
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        removalPolicy: RemovalPolicy.RETAIN,
        lifecycleRules: [
          { description: 'Drop untagged images (superseded build layers) after a week', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(7) },
        ],
      });
      new CfnOutput(this, `${name}RepositoryUri`, { value: repository.repositoryUri });
    }
  }
}
