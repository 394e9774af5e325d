import * as pulumi from "@pulumi/pulumi";

/** One `Allow` statement: exact actions on exact resource ARNs (never `*`). */
export interface Grant {
  readonly actions: readonly string[];
  readonly resources: readonly pulumi.Input<string>[];
}

/**
 * A role trust policy for an AWS service that guards against the confused deputy: the service may
 * assume the role only on behalf of this account and, when given, only for these source ARNs.
 */
export function serviceTrustPolicy(
  service: string,
  accountId: pulumi.Input<string>,
  sourceArns: readonly pulumi.Input<string>[] = [],
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ...(sourceArns.length > 0 ? { ArnEquals: { "aws:SourceArn": sourceArns } } : {}),
        },
      },
    ],
  });
}

/** An identity policy that allows exactly the given grants and nothing else. */
export function allowPolicy(grants: readonly Grant[]): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: grants.map((grant) => ({ Effect: "Allow", Action: grant.actions, Resource: grant.resources })),
  });
}
