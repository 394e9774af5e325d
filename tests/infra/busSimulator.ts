import { BusEvent, matchesEventPattern } from "../../local/eventbridge/eventPattern";
import { graphqlEndpointArn, ofType, ProgramRun, Props } from "./harness";

/** One GraphQL call EventBridge makes on an API. */
export interface ApiDelivery {
  /** The region of the API that was called. */
  readonly region: string;
  /** The rule whose target made the call. */
  readonly ruleArn: string;
  readonly operation: string;
  readonly variables: Record<string, unknown>;
}

/** The part of an event that `inputPath` selects; only the `$.a.b` form is supported. */
function select(event: BusEvent, inputPath: string | undefined): unknown {
  if (inputPath === undefined) return event;
  if (!/^\$(\.[A-Za-z_-]+)+$/.test(inputPath)) throw new Error(`unsupported inputPath ${inputPath}`);
  return inputPath.split(".").slice(1).reduce<unknown>((value, key) => (value as Record<string, unknown>)?.[key], event);
}

/**
 * Sends `event` to the bus of `region` and follows the RECORDED rules and targets of a program
 * run, as EventBridge would: a rule fires when its pattern matches; a bus target puts the event
 * on another bus, but an event that already crossed one bus-to-bus hop goes no further; an AppSync
 * target calls the API whose endpoint ARN (`endpoints/graphql-api/<host label>`) it names: the API's
 * own ARN or id there reaches nothing, as on AWS. Returns every API call.
 */
export function routeEvent(run: ProgramRun, region: string, event: BusEvent): ApiDelivery[] {
  const buses = ofType(run, "aws:cloudwatch/eventBus:EventBus").map((r) => r.state);
  const rules = ofType(run, "aws:cloudwatch/eventRule:EventRule").map((r) => r.state);
  const targets = ofType(run, "aws:cloudwatch/eventTarget:EventTarget").map((r) => r.inputs);
  const apis = ofType(run, "aws:appsync/graphQLApi:GraphQLApi").map((r) => r.state);
  const deliveries: ApiDelivery[] = [];

  const busIn = (busRegion: string) => {
    const found = buses.filter((bus) => bus.region === busRegion);
    if (found.length !== 1) throw new Error(`expected one bus in ${busRegion}, found ${found.length}`);
    return found[0];
  };

  const arrive = (bus: Props, hops: number) => {
    const firing = rules.filter((rule) =>
      rule.region === bus.region && rule.eventBusName === bus.name && matchesEventPattern(JSON.parse(rule.eventPattern), event));
    for (const rule of firing) {
      for (const target of targets.filter((t) => t.region === rule.region && t.eventBusName === bus.name && t.rule === rule.name)) {
        const destinationBus = buses.find((b) => b.arn === target.arn);
        if (destinationBus) {
          if (hops === 0) arrive(destinationBus, 1);
          continue;
        }
        const api = apis.find((a) => graphqlEndpointArn(a) === target.arn);
        if (!api) throw new Error(`target ${target.arn} of rule ${rule.name} is neither a bus nor an API endpoint`);
        deliveries.push({
          region: api.region,
          ruleArn: rule.arn,
          operation: target.appsyncTarget.graphqlOperation,
          variables: select(event, target.inputPath) as Record<string, unknown>,
        });
      }
    }
  };

  arrive(busIn(region), 0);
  return deliveries;
}
