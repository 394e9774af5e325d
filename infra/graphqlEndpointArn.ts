/**
 * The ARN an EventBridge target calls an AppSync API at: `arn:aws:appsync:REGION:ACCOUNT:endpoints/graphql-api/<X>`,
 * where X is the host label of the API's GraphQL URL (`https://X.appsync-api.REGION.amazonaws.com/graphql`),
 * a random string of its own, not the API id. A wrong one passes PutTargets and fails every delivery.
 *
 * Evidence for X: CloudFormation reports this ARN as its own attribute (`GraphQLEndpointArn`); CDK asks
 * for it on imported APIs because it cannot be derived from the id; public samples take the URL's host
 * label. It is derived here rather than read from AWS: `@pulumi/aws-native`'s `getGraphQlApi` exposes
 * the attribute, but reads it through Cloud Control by the type's identifier, which AWS changed from
 * `ApiId` to `Arn` in September 2026 while the newest aws-native (1.79) still sends the id; it would also
 * need a provider per region and more permissions for the deployer.
 */
export function graphqlEndpointArn(apiArn: string, graphqlUrl: string): string {
  const [, partition, , region, account] = apiArn.split(":");
  const host = new URL(graphqlUrl).hostname;
  const suffix = `.appsync-api.${region}.amazonaws.com`;
  const label = host.slice(0, -suffix.length);
  if (!host.endsWith(suffix) || label === "" || label.includes(".")) {
    throw new Error(`The GraphQL URL ${graphqlUrl} of ${apiArn} is not AppSync's own endpoint (<label>${suffix})`);
  }
  return `arn:${partition}:appsync:${region}:${account}:endpoints/graphql-api/${label}`;
}
