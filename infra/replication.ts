import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowPolicy, Grant, serviceTrustPolicy } from "./iamPolicies";
import { RegionalApi } from "./regionalApi";
import { planRouting, RouteTarget } from "./routing";

/** The inputs of the replication mesh. */
export interface ReplicationArgs {
  /** One API per configured region, in config order. */
  readonly apis: readonly RegionalApi[];
  /** The AWS account that owns the stack (for the confused-deputy guard of the target roles). */
  readonly accountId: pulumi.Input<string>;
  /** How often EventBridge retries a failed delivery (0..185). */
  readonly deliveryRetryAttempts: number;
  /** How long EventBridge keeps trying to deliver an event, in seconds (60..86400). */
  readonly deliveryMaxEventAgeSeconds: number;
}

/** An EventBridge rule of the mesh and the region whose bus it lives on. */
export interface ReplicationRule {
  readonly region: string;
  readonly rule: aws.cloudwatch.EventRule;
}

/**
 * The full mesh of `planRouting`: on every bus, a rule that forwards the region's own events to
 * every other bus, and rules that deliver events from elsewhere to the region's API. Every target
 * has its own role that can do exactly that one delivery, a retry policy and the region's
 * dead-letter queue, whose queue policy admits exactly the rules of that region.
 */
export class Replication extends pulumi.ComponentResource {
  /** Every rule, for dashboards and alarms. */
  readonly rules: readonly ReplicationRule[];

  constructor(name: string, args: ReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("globalws:infra:Replication", name, {}, opts);
    const child = { parent: this };
    const apiOf = new Map(args.apis.map((api) => [api.region, api]));
    const regional = (region: string): RegionalApi => {
      const api = apiOf.get(region);
      if (!api) throw new Error(`The routing plan names region ${region}, which has no RegionalApi`);
      return api;
    };

    // What a target calls, what its role may do (one bus, or one mutation of one API), and what the
    // role is named after: that one bus or mutation.
    const targetSpec = (target: RouteTarget): { arn: pulumi.Input<string>; grant: Grant; id: string; calls: string } => {
      const api = regional(target.region);
      if (target.kind === "bus") {
        return {
          id: `to-${target.region}`,
          calls: target.region,
          arn: api.eventBusArn,
          grant: { actions: ["events:PutEvents"], resources: [api.eventBusArn] },
        };
      }
      return {
        id: "to-appsync",
        calls: target.field,
        // The endpoint ARN for the target; IAM grants stay on the API's own ARN.
        arn: api.graphqlEndpointArn,
        grant: { actions: ["appsync:GraphQL"], resources: [pulumi.interpolate`${api.apiArn}/types/Mutation/fields/${target.field}`] },
      };
    };

    const rules: ReplicationRule[] = [];
    for (const route of planRouting(args.apis.map((api) => api.region))) {
      const source = regional(route.region);
      const ruleName = `${name}-${route.region}-${route.name}`;
      const rule = new aws.cloudwatch.EventRule(ruleName, {
        region: route.region,
        eventBusName: source.eventBusName,
        description: route.description,
        eventPattern: JSON.stringify(route.eventPattern),
      }, child);
      rules.push({ region: route.region, rule });

      for (const target of route.targets) {
        const { id, calls, arn, grant } = targetSpec(target);
        // One role per target: a forward role per source→destination pair, a delivery role per mutation.
        // Named after what it calls, not after the rule: IAM role names stop at 64 characters, random
        // suffix included ("replication-ap-southeast-2-deliver-unsubscribes-to-appsync-…" would not fit).
        const roleName = `${name}-${route.region}-to-${calls}`;
        const role = new aws.iam.Role(roleName, {
          description: `Lets EventBridge rule ${route.name} in ${route.region} deliver to ${calls}`,
          assumeRolePolicy: serviceTrustPolicy("events.amazonaws.com", args.accountId, [rule.arn]),
        }, child);
        const policy = new aws.iam.RolePolicy(`${roleName}-policy`, { role: role.id, policy: allowPolicy([grant]) }, child);
        new aws.cloudwatch.EventTarget(`${ruleName}-${id}-target`, {
          region: route.region,
          eventBusName: source.eventBusName,
          rule: rule.name,
          targetId: id,
          arn,
          roleArn: role.arn,
          ...(target.kind === "appsync"
            ? { appsyncTarget: { graphqlOperation: target.operation }, inputPath: target.inputPath }
            : {}),
          retryPolicy: {
            maximumRetryAttempts: args.deliveryRetryAttempts,
            maximumEventAgeInSeconds: args.deliveryMaxEventAgeSeconds,
          },
          deadLetterConfig: { arn: source.deadLetterQueueArn },
        }, { ...child, dependsOn: [policy] });
      }
    }

    // EventBridge may drop undeliverable events into a region's queue, for that region's rules only.
    for (const api of args.apis) {
      const ruleArns = rules.filter((r) => r.region === api.region).map((r) => r.rule.arn);
      new aws.sqs.QueuePolicy(`${name}-${api.region}-dlq-policy`, {
        region: api.region,
        queueUrl: api.deadLetterQueueUrl,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: api.deadLetterQueueArn,
            Condition: { ArnEquals: { "aws:SourceArn": ruleArns } },
          }],
        }),
      }, child);
    }

    this.rules = rules;
    this.registerOutputs({ ruleArns: rules.map((r) => r.rule.arn) });
  }
}
