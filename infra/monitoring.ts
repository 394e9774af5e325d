import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { RegionalApi } from "./regionalApi";
import { ReplicationRule } from "./replication";

const cw = awsx.classic.cloudwatch;

/** The inputs of the dashboard and alarms. */
export interface MonitoringArgs {
  /** One API per configured region; each gets a dashboard row and an alarm. */
  readonly apis: readonly RegionalApi[];
  /** The replication rules, whose failed invocations the dashboard shows per region. */
  readonly rules: readonly ReplicationRule[];
  /** The history table, whose throttles and replication latency the dashboard shows per region; absent when history is off. */
  readonly historyTableName?: pulumi.Output<string>;
}

// A row per region: its title and its graphs share the 24-column grid equally.
const GRID_WIDTH = 24;
const HEIGHT = 6;
const PERIOD_SECONDS = 300;

function appSyncMetric(api: RegionalApi, name: string, label: string, statistic: "Sum" | "Maximum" = "Sum") {
  return new cw.Metric({ namespace: "AWS/AppSync", name, label, dimensions: { GraphQLAPIId: api.apiId }, statistic, period: PERIOD_SECONDS });
}

/**
 * The dashboard's name for a stack: CloudWatch allows only `A-Z a-z 0-9 - _` in a dashboard name,
 * while a Pulumi stack name may also hold `.` (and an org/project prefix with `/`).
 */
export function dashboardName(stack: string): string {
  return `globalws-${stack.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** A graph of one region's row, before it is laid out. */
interface Graph {
  readonly title: string;
  readonly metrics: awsx.classic.cloudwatch.Metric[];
}

/**
 * One CloudWatch dashboard with a row per region (connections, publishes, subscription deliveries,
 * replication failures, dead-letter depth) and, per region, an alarm when the dead-letter queue holds
 * anything. The dashboard is global (its ARN has no region), so it goes through the default provider.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** Where to open the dashboard in the console. */
  readonly dashboardUrl: pulumi.Output<string>;
  /** One alarm per region, in config order. */
  readonly alarms: readonly aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("globalws:infra:Monitoring", name, {}, opts);
    const child = { parent: this };

    const historyGraphs = (api: RegionalApi): Graph[] => {
      const table = args.historyTableName;
      if (!table) return [];
      const dynamo = (metric: string, label: string, dimensions: Record<string, pulumi.Input<string>>, statistic: "Sum" | "Average") =>
        new cw.Metric({ namespace: "AWS/DynamoDB", name: metric, label, dimensions: { TableName: table, ...dimensions }, statistic, period: PERIOD_SECONDS });
      const others = args.apis.filter((other) => other !== api);
      return [
        {
          title: "history throttles",
          metrics: [
            dynamo("ThrottledRequests", "PutItem throttled", { Operation: "PutItem" }, "Sum"),
            dynamo("ThrottledRequests", "Query throttled", { Operation: "Query" }, "Sum"),
          ],
        },
        // Emitted in the writing region, per receiving region: how far behind each other replica is.
        ...(others.length > 0
          ? [{
              title: "history replication latency (ms)",
              metrics: others.map((other) => dynamo("ReplicationLatency", `to ${other.region}`, { ReceivingRegion: other.region }, "Average")),
            }]
          : []),
      ];
    };

    const rows = args.apis.map((api) => {
      const failedInvocations = args.rules
        .filter((r) => r.region === api.region)
        .map(({ rule }) => new cw.Metric({
          namespace: "AWS/Events",
          name: "FailedInvocations",
          label: rule.name,
          dimensions: { EventBusName: api.eventBusName, RuleName: rule.name },
          statistic: "Sum",
          period: PERIOD_SECONDS,
        }));
      const graphs: Graph[] = [
        // ActiveConnections is a gauge: summing its samples over the period would overstate it.
        { title: "connections", metrics: [appSyncMetric(api, "ConnectSuccess", "connects"), appSyncMetric(api, "ActiveConnections", "active connections", "Maximum")] },
        {
          title: "requests (publishes) and errors",
          metrics: [appSyncMetric(api, "Requests", "requests"), appSyncMetric(api, "4XXError", "4XX errors"), appSyncMetric(api, "5XXError", "5XX errors")],
        },
        {
          title: "subscription deliveries",
          metrics: [
            appSyncMetric(api, "PublishDataMessageSuccess", "delivered"),
            appSyncMetric(api, "PublishDataMessageClientError", "client errors"),
            appSyncMetric(api, "PublishDataMessageServerError", "server errors"),
          ],
        },
        { title: "replication failed invocations", metrics: failedInvocations },
        {
          title: "dead-letter queue depth",
          metrics: [awsx.classic.sqs.metrics.approximateNumberOfMessagesVisible({ queue: api.deadLetterQueue, statistic: "Maximum", period: PERIOD_SECONDS })],
        },
        ...historyGraphs(api),
      ];
      // Graphs share the grid equally; the title takes what is left.
      const width = Math.floor(GRID_WIDTH / (graphs.length + 1));
      return new cw.RowWidget(
        new cw.TextWidget({ markdown: `## ${api.region}\nAppSync API, EventBridge bus and dead-letter queue of this region.`, width: GRID_WIDTH - graphs.length * width, height: HEIGHT }),
        ...graphs.map(({ title, metrics }) =>
          new cw.LineGraphMetricWidget({ title: `${api.region}: ${title}`, region: api.region as aws.Region, width, height: HEIGHT, metrics })),
      );
    });

    const dashboard = new cw.Dashboard(`${name}-dashboard`, {
      name: dashboardName(pulumi.getStack()),
      region: args.apis[0].region as aws.Region,
      widgets: rows,
    }, child);

    // An undelivered event means some region missed a message or an unsubscribe.
    this.alarms = args.apis.map((api) => new aws.cloudwatch.MetricAlarm(`${name}-${api.region}-dlq-alarm`, {
      region: api.region,
      alarmDescription: `EventBridge could not deliver events from the ${api.region} bus; they wait in its dead-letter queue`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: api.deadLetterQueue.name },
      statistic: "Maximum",
      period: PERIOD_SECONDS,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      treatMissingData: "notBreaching",
    }, child));

    this.dashboardUrl = dashboard.url;
    this.registerOutputs({ dashboardUrl: this.dashboardUrl, alarmArns: this.alarms.map((alarm) => alarm.arn) });
  }
}
