import { Module } from '@nestjs/common';
import { ProjectorService } from './projector.service';

@Module({ providers: [ProjectorService], exports: [ProjectorService] })
export class ProjectionsModule {}
