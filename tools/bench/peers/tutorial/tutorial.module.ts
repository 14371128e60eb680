import { type DynamicModule, Module } from '@nestjs/common';
import { Pool } from 'pg';
import { eventsController } from './events.controller';
import { EventsRepository } from './events.repository';
import { TutorialIngestService } from './tutorial-ingest.service';
import { ON_HANDLED, type OnHandled, PG_POOL, TUTORIAL_SETTINGS, type TutorialSettings } from './tutorial.tokens';

@Module({})
export class TutorialModule {
  static forRoot(settings: TutorialSettings, onHandled: OnHandled): DynamicModule {
    return {
      module: TutorialModule,
      controllers: [eventsController(settings.topics)],
      providers: [
        { provide: TUTORIAL_SETTINGS, useValue: settings },
        { provide: ON_HANDLED, useValue: onHandled },
        // pg's defaults (10 connections), as a tutorial leaves them.
        { provide: PG_POOL, useFactory: () => new Pool({ connectionString: settings.databaseUrl }) },
        EventsRepository,
        TutorialIngestService,
      ],
    };
  }
}
