import { Module } from '@nestjs/common';
import { ProjectorService } from './projector.service';
import { RebuildRequests } from './rebuild-requests';

@Module({ providers: [ProjectorService, RebuildRequests], exports: [ProjectorService] })
export class ProjectionsModule {}
