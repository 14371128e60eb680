import { Module } from '@nestjs/common';
import { PublisherLeadership } from './publisher-leadership';

@Module({ providers: [PublisherLeadership] })
export class SnapshotsModule {}
