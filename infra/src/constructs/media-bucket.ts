import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Uploads, intermediate files and outputs (STORAGE_DRIVER=s3), private and encrypted. */
export class MediaBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: { retain: boolean }) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      versioned: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: props.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      lifecycleRules: [
        {
          id: 'age-out-media',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
            // Glacier Instant Retrieval, not Flexible: old outputs and the player's video stay
            // readable with a plain GET (presigned downloads), no restore step in the app.
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(90) },
          ],
          // Versioning guards against a bad overwrite or delete; old versions go after 30 days.
          noncurrentVersionExpiration: Duration.days(30),
          // A worker killed mid-upload leaves parts behind; they cost money until aborted.
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });
  }
}
