import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus, Match } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { ARCHIVE_EVENT_PATTERN, type ResourceNames } from './topology';

export interface CanonicalEventBusProps {
  names: ResourceNames;
  archiveRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

/** The bus every canonical event travels on, with an archive of all of them for replay. */
export class CanonicalEventBus extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;

  constructor(scope: Construct, id: string, props: CanonicalEventBusProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: props.names.busName });
    this.archive = new Archive(this, 'Archive', {
      sourceEventBus: this.bus,
      archiveName: props.names.archiveName,
      description: 'Every canonical event, for replay after an incident or a consumer fix',
      eventPattern: { source: Match.prefix(ARCHIVE_EVENT_PATTERN.source[0].prefix) },
      retention: Duration.days(props.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(props.removalPolicy);
  }
}
