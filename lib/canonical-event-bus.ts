import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus, Match } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE_PREFIX } from '../functions/core/canonical/events';

export interface CanonicalEventBusProps {
  busName: string;
  archiveRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

/** The bus every canonical event travels on, with an archive of all of them for replay. */
export class CanonicalEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: CanonicalEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.busName });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      archiveName: `${props.busName}-archive`.slice(0, 48),
      description: 'Every canonical event, for replay after an incident or a consumer fix',
      eventPattern: { source: Match.prefix(EVENT_SOURCE_PREFIX) },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(props.removalPolicy);
  }
}
