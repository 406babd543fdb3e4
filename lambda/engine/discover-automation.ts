/**
 * Discover the provider's automation outside IAM in every region read (engine/regions.ts), REGION_CONCURRENCY regions
 * at a time, each with clients signed for it: Lambda functions, EventBridge rules on the default bus, AWS Config
 * rules, recorder and delivery channel, CloudTrail trails. A lister that fails (denied, service not enabled) is named
 * with its region in `unreadable` and reported, never silently skipped; the other regions go on.
 */
import { DescribeTrailsCommand } from '@aws-sdk/client-cloudtrail';
import {
  DescribeConfigurationRecordersCommand,
  DescribeDeliveryChannelsCommand,
  DescribeRemediationConfigurationsCommand,
  paginateDescribeConfigRules,
} from '@aws-sdk/client-config-service';
import { ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { paginateListFunctions } from '@aws-sdk/client-lambda';
import { errorName, type AwsClients, type RegionalClients } from './aws';
import { DISCOVERY_CONCURRENCY, mapBounded } from './concurrency';
import type { Automation } from './inventory';
import { REGION_CONCURRENCY } from './regions';

export async function discoverAutomation(clients: AwsClients, regions: readonly string[]): Promise<Automation> {
  const unreadable: string[] = [];
  const found = await mapBounded(regions, REGION_CONCURRENCY, (region) => automationIn(clients.inRegion(region), region, unreadable));
  return {
    lambdaFunctions: found.flatMap((f) => f.lambdaFunctions),
    eventRules: found.flatMap((f) => f.eventRules),
    configRules: found.flatMap((f) => f.configRules),
    configRecorders: found.flatMap((f) => f.configRecorders),
    trails: found.flatMap((f) => f.trails),
    unreadable: unreadable.sort(),
  };
}

async function automationIn(clients: RegionalClients, region: string, unreadable: string[]): Promise<Omit<Automation, 'unreadable'>> {
  const guarded = async <T>(what: string, read: () => Promise<T[]>): Promise<(T & { region: string })[]> => {
    try {
      return (await read()).map((item) => ({ ...item, region }));
    } catch (error) {
      unreadable.push(`${what} in ${region} (${errorName(error)})`);
      return [];
    }
  };
  const [lambdaFunctions, eventRules, configRules, configRecorders, trails] = await Promise.all([
    guarded('Lambda functions', async () => {
      const functions = [];
      for await (const page of paginateListFunctions({ client: clients.lambda }, {})) {
        functions.push(...(page.Functions ?? []).map((f) => ({ name: f.FunctionName!, arn: f.FunctionArn!, role: f.Role ?? '' })));
      }
      return functions;
    }),
    guarded('EventBridge rules', async () => {
      const rules = [];
      let NextToken: string | undefined;
      do {
        const page = await clients.events.send(new ListRulesCommand({ NextToken }));
        rules.push(...(page.Rules ?? []));
        NextToken = page.NextToken;
      } while (NextToken);
      // A rule's targets tell whether it drives the provider's functions; rules are few, one read each.
      return mapBounded(rules, DISCOVERY_CONCURRENCY, async (rule) => {
        const { Targets } = await clients.events.send(new ListTargetsByRuleCommand({ Rule: rule.Name }));
        return { name: rule.Name!, arn: rule.Arn!, targets: (Targets ?? []).map((t) => ({ id: t.Id!, arn: t.Arn! })), managedBy: rule.ManagedBy };
      });
    }),
    guarded('AWS Config rules', async () => {
      const rules = [];
      for await (const page of paginateDescribeConfigRules({ client: clients.config }, {})) {
        rules.push(...(page.ConfigRules ?? []).map((r) => ({ name: r.ConfigRuleName!, arn: r.ConfigRuleArn!, createdBy: r.CreatedBy })));
      }
      // Which rules have a remediation, 25 names a call (the model's limit for ConfigRuleNames).
      const remediated = new Set<string>();
      for (let start = 0; start < rules.length; start += 25) {
        const ConfigRuleNames = rules.slice(start, start + 25).map((r) => r.name);
        const { RemediationConfigurations } = await clients.config.send(new DescribeRemediationConfigurationsCommand({ ConfigRuleNames }));
        for (const remediation of RemediationConfigurations ?? []) remediated.add(remediation.ConfigRuleName ?? '');
      }
      return rules.map((rule) => ({ ...rule, remediation: remediated.has(rule.name) }));
    }),
    guarded('AWS Config recorder', async () => {
      const [{ ConfigurationRecorders }, { DeliveryChannels }] = await Promise.all([
        clients.config.send(new DescribeConfigurationRecordersCommand({})),
        clients.config.send(new DescribeDeliveryChannelsCommand({})),
      ]);
      // A region has at most one recorder and one delivery channel, which go together.
      const channel = DeliveryChannels?.[0];
      return (ConfigurationRecorders ?? []).map((r) => ({ name: r.name!, channelName: channel?.name, bucket: channel?.s3BucketName }));
    }),
    guarded('CloudTrail trails', async () => {
      const { trailList } = await clients.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: false }));
      return (trailList ?? []).map((t) => ({ name: t.Name!, arn: t.TrailARN!, bucket: t.S3BucketName }));
    }),
  ]);
  return { lambdaFunctions, eventRules, configRules, configRecorders, trails };
}
