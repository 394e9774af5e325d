import { expect } from "chai";
import { named, ofType, programFor, ProgramRun, runProgram, STANDARD_CONFIG } from "./harness";

interface DashboardWidget {
  x: number;
  y: number;
  width: number;
  type: "text" | "metric";
  properties: { markdown?: string; region?: string; title?: string; metrics?: unknown[][] };
}

/** A metric line of a widget as `namespace name dimension=value …`, without its rendering options. */
function describeMetric(metric: unknown[]): string {
  const [namespace, name, ...rest] = metric.filter((part) => typeof part === "string") as string[];
  const dimensions = [];
  for (let i = 0; i < rest.length; i += 2) dimensions.push(`${rest[i]}=${rest[i + 1]}`);
  return [namespace, name, ...dimensions].join(" ");
}

describe("infra: Monitoring", () => {
  let run: ProgramRun;
  let widgets: DashboardWidget[];
  before(async () => {
    run = await programFor(STANDARD_CONFIG);
    const dashboards = ofType(run, "aws:cloudwatch/dashboard:Dashboard");
    expect(dashboards).to.have.length(1);
    widgets = JSON.parse(dashboards[0].inputs.dashboardBody).widgets;
  });

  it("is one dashboard named after the stack", () => {
    expect(ofType(run, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardName).to.equal("globalws-test");
  });

  it("gets a name CloudWatch accepts (A-Z a-z 0-9 - _) from a stack name with dots, which Pulumi allows", async () => {
    const dotted = await runProgram({ regions: ["us-west-2"] }, "prod.eu_1");
    expect(ofType(dotted, "aws:cloudwatch/dashboard:Dashboard")[0].inputs.dashboardName).to.equal("globalws-prod-eu_1");
  });

  STANDARD_CONFIG.regions.forEach((region, row) => {
    describe(region, () => {
      const rowWidgets = () => widgets.filter((w) => w.y === row * 6);
      const metricsOf = () => rowWidgets().filter((w) => w.type === "metric").flatMap((w) => {
        expect(w.properties.region).to.equal(region);
        return (w.properties.metrics ?? []).map(describeMetric);
      });

      it("has a row that starts with the region's name and fills the grid's width", () => {
        const [title, ...graphs] = rowWidgets().sort((a, b) => a.x - b.x);
        expect(title.type).to.equal("text");
        expect(title.properties.markdown).to.match(new RegExp(`^## ${region}\\n`));
        expect(graphs.map((g) => g.type)).to.deep.equal(["metric", "metric", "metric", "metric", "metric", "metric", "metric"]);
        const last = graphs[graphs.length - 1];
        expect(last.x + last.width).to.equal(24);
      });

      it("graphs connections, requests, subscription deliveries, failed replication per rule and dead-letter depth of this region", () => {
        const apiId = named(run, `${region}-api`).state.id;
        const bus = named(run, `${region}-bus`).state.name;
        const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.region === region);
        expect(metricsOf()).to.include.members([
          `AWS/AppSync ConnectSuccess GraphQLAPIId=${apiId}`,
          `AWS/AppSync ActiveConnections GraphQLAPIId=${apiId}`,
          `AWS/AppSync Requests GraphQLAPIId=${apiId}`,
          `AWS/AppSync 5XXError GraphQLAPIId=${apiId}`,
          `AWS/AppSync PublishDataMessageSuccess GraphQLAPIId=${apiId}`,
          ...rules.map((rule) => `AWS/Events FailedInvocations EventBusName=${bus} RuleName=${rule.state.name}`),
          `AWS/SQS ApproximateNumberOfMessagesVisible QueueName=${named(run, `${region}-dlq`).state.name}`,
        ]);
      });

      it("graphs the history table's throttles and its replication latency to every other region", () => {
        const table = named(run, "history-table").state.name;
        const others = STANDARD_CONFIG.regions.filter((other) => other !== region);
        expect(metricsOf()).to.include.members([
          `AWS/DynamoDB ThrottledRequests TableName=${table} Operation=PutItem`,
          `AWS/DynamoDB ThrottledRequests TableName=${table} Operation=Query`,
          ...others.map((other) => `AWS/DynamoDB ReplicationLatency TableName=${table} ReceivingRegion=${other}`),
        ]);
      });

      it("graphs active connections, a gauge, at their maximum rather than summed", () => {
        const connections = rowWidgets().find((w) => w.properties.title === `${region}: connections`);
        const active = (connections?.properties.metrics ?? []).find((metric) => metric.includes("ActiveConnections"));
        expect(active, "ActiveConnections metric").not.to.equal(undefined);
        expect(active!.find((part) => typeof part === "object")).to.include({ stat: "Maximum" });
      });

      it("alarms as soon as the dead-letter queue holds a message", () => {
        const alarm = named(run, `monitoring-${region}-dlq-alarm`).inputs;
        expect(alarm).to.include({
          region,
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          statistic: "Maximum",
          comparisonOperator: "GreaterThanThreshold",
          threshold: 0,
          treatMissingData: "notBreaching",
        });
        expect(alarm.dimensions).to.deep.equal({ QueueName: named(run, `${region}-dlq`).state.name });
      });
    });
  });
});
