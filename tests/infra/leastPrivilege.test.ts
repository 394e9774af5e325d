import { expect } from "chai";
import { ACCOUNT, named, ofType, programFor, ProgramRun, Props, RecordedResource, STANDARD_CONFIG } from "./harness";

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Principal?: { Service: string };
  Condition?: Record<string, Record<string, string | string[]>>;
}

const statementsOf = (policy: string): Statement[] => JSON.parse(policy).Statement;
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/** What a role may do, as `{actions, resources}` per statement, read from its one inline policy. */
function grantsOf(run: ProgramRun, role: RecordedResource) {
  const policies = ofType(run, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.role === role.state.id);
  expect(policies, `inline policies of ${role.name}`).to.have.length(1);
  return statementsOf(policies[0].inputs.policy).map((s) => {
    expect(s.Effect).to.equal("Allow");
    return { actions: list(s.Action), resources: list(s.Resource) };
  });
}

/** Who may assume a role: `{service, account, sourceArns}` from its trust policy. */
function trustOf(role: RecordedResource) {
  const statements = statementsOf(role.inputs.assumeRolePolicy);
  expect(statements, `trust of ${role.name}`).to.have.length(1);
  const [trust] = statements;
  expect(trust.Action).to.equal("sts:AssumeRole");
  return {
    service: trust.Principal?.Service,
    account: trust.Condition?.StringEquals["aws:SourceAccount"],
    sourceArns: trust.Condition?.ArnEquals?.["aws:SourceArn"],
  };
}

describe("infra: least privilege", () => {
  let run: ProgramRun;
  const role = (name: string) => named(run, name);
  before(async () => {
    run = await programFor(STANDARD_CONFIG);
  });

  it("has no * action and no * resource anywhere; the only wildcards are the API's own log group and its streams", () => {
    const documents = [
      ...ofType(run, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy),
      ...ofType(run, "aws:iam/role:Role").map((r) => r.inputs.assumeRolePolicy),
      ...ofType(run, "aws:sqs/queuePolicy:QueuePolicy").map((p) => p.inputs.policy),
    ];
    expect(documents.length).to.be.greaterThan(0);
    for (const statement of documents.flatMap(statementsOf)) {
      for (const action of list(statement.Action)) expect(action).not.to.contain("*");
      for (const resource of list(statement.Resource ?? [])) {
        expect(resource).not.to.equal("*");
        if (resource.includes("*")) expect(resource).to.match(/^arn:aws:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/appsync\/apis\/[^*:]+(:log-stream)?:\*$/);
      }
    }
  });

  it("attaches nothing but the one inline policy to any role", () => {
    for (const r of ofType(run, "aws:iam/role:Role")) {
      expect(r.inputs, r.name).not.to.have.any.keys("managedPolicyArns", "inlinePolicies", "permissionsBoundary");
      grantsOf(run, r);
    }
  });

  for (const region of STANDARD_CONFIG.regions) {
    describe(region, () => {
      it("lets AppSync write only to the API's own log group", () => {
        const logs = role(`${region}-logs-role`);
        const logGroupArn = named(run, `${region}-logs`).state.arn;
        expect(trustOf(logs)).to.deep.equal({ service: "appsync.amazonaws.com", account: ACCOUNT, sourceArns: undefined });
        expect(grantsOf(run, logs)).to.deep.equal([
          // IAM's form of a log group ARN ends in ":*"; the bare ARN does not authorize CreateLogStream.
          { actions: ["logs:CreateLogStream"], resources: [`${logGroupArn}:*`] },
          { actions: ["logs:PutLogEvents"], resources: [`${logGroupArn}:log-stream:*`] },
        ]);
      });

      it("lets this API's EventBridge data source put events on its own bus only", () => {
        const dataSource = role(`${region}-eventbridge-ds-role`);
        expect(trustOf(dataSource)).to.deep.equal({
          service: "appsync.amazonaws.com", account: ACCOUNT, sourceArns: [named(run, `${region}-api`).state.arn],
        });
        expect(grantsOf(run, dataSource)).to.deep.equal([{ actions: ["events:PutEvents"], resources: [named(run, `${region}-bus`).state.arn] }]);
      });

      it("lets this API's history data source put and get items in its own region's replica and query only its time index", () => {
        const dataSource = role(`${region}-history-ds-role`);
        const table = named(run, "history-table").state.name;
        const replicaArn = `arn:aws:dynamodb:${region}:${ACCOUNT}:table/${table}`;
        expect(trustOf(dataSource)).to.deep.equal({
          service: "appsync.amazonaws.com", account: ACCOUNT, sourceArns: [named(run, `${region}-api`).state.arn],
        });
        expect(grantsOf(run, dataSource)).to.deep.equal([
          // GetItem: when a conditional put fails, AppSync reads the item back with this role.
          { actions: ["dynamodb:PutItem", "dynamodb:GetItem"], resources: [replicaArn] },
          { actions: ["dynamodb:Query"], resources: [`${replicaArn}/index/byTime`] },
        ]);
        expect(named(run, `${region}-history-ds`).inputs).to.deep.include({
          type: "AMAZON_DYNAMODB",
          dynamodbConfig: { tableName: table, region },
          serviceRoleArn: dataSource.state.arn,
        });
      });

      it("lets each forward target put events on its one destination bus, for its own rule only", () => {
        const rule = named(run, `replication-${region}-forward-0`);
        const others = STANDARD_CONFIG.regions.filter((other) => other !== region);
        for (const other of others) {
          const forward = role(`replication-${region}-to-${other}`);
          const destinationBus = named(run, `${other}-bus`).state.arn;
          expect(trustOf(forward)).to.deep.equal({ service: "events.amazonaws.com", account: ACCOUNT, sourceArns: [rule.state.arn] });
          expect(grantsOf(run, forward)).to.deep.equal([{ actions: ["events:PutEvents"], resources: [destinationBus] }]);
          const target = named(run, `replication-${region}-forward-0-to-${other}-target`).inputs;
          expect(target).to.include({ arn: destinationBus, roleArn: forward.state.arn, rule: rule.state.name });
        }
      });

      it("lets each delivery target call only its one bus mutation of this region's API, for its own rule only", () => {
        const deliveries: [string, string][] = [["deliver-messages", "publishFromBus"], ["deliver-unsubscribes", "unsubscribeFromBus"]];
        for (const [ruleName, field] of deliveries) {
          const rule = named(run, `replication-${region}-${ruleName}`);
          const deliver = role(`replication-${region}-to-${field}`);
          expect(trustOf(deliver)).to.deep.equal({ service: "events.amazonaws.com", account: ACCOUNT, sourceArns: [rule.state.arn] });
          expect(grantsOf(run, deliver)).to.deep.equal([
            { actions: ["appsync:GraphQL"], resources: [`arn:aws:appsync:${region}:${ACCOUNT}:apis/${named(run, `${region}-api`).state.id}/types/Mutation/fields/${field}`] },
          ]);
          const target: Props = named(run, `replication-${region}-${ruleName}-to-appsync-target`).inputs;
          expect(target.roleArn).to.equal(deliver.state.arn);
          expect(target.appsyncTarget.graphqlOperation).to.contain(`${field}(`);
        }
      });

      it("lets EventBridge send to the dead-letter queue only for exactly this region's rules", () => {
        const queue = named(run, `${region}-dlq`).state;
        const policy = named(run, `replication-${region}-dlq-policy`).inputs;
        expect(policy).to.include({ region, queueUrl: queue.url });
        const ruleArns = ofType(run, "aws:cloudwatch/eventRule:EventRule").filter((r) => r.inputs.region === region).map((r) => r.state.arn);
        expect(ruleArns).to.have.length(3);
        const [statement, ...rest] = statementsOf(policy.policy);
        expect(rest).to.deep.equal([]);
        expect(statement).to.deep.include({ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queue.arn });
        expect(Object.keys(statement.Condition ?? {})).to.deep.equal(["ArnEquals"]);
        expect(statement.Condition?.ArnEquals["aws:SourceArn"]).to.have.members(ruleArns);
      });
    });
  }

  it("creates exactly the roles above: three per region and one per target", () => {
    const regions = STANDARD_CONFIG.regions.length;
    expect(ofType(run, "aws:iam/role:Role")).to.have.length(3 * regions + ofType(run, "aws:cloudwatch/eventTarget:EventTarget").length);
  });

  it("creates no history role when history is off", async () => {
    const off = await programFor({ ...STANDARD_CONFIG, historyRetentionHours: 0 });
    expect(ofType(off, "aws:iam/role:Role")).to.have.length(2 * STANDARD_CONFIG.regions.length + ofType(off, "aws:cloudwatch/eventTarget:EventTarget").length);
  });
});
