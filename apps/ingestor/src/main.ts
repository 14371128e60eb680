import 'reflect-metadata';
import { runMain, startApp } from '@caravan/runtime';
import { IngestorModule } from './ingestor.module';

runMain(() => startApp(IngestorModule.forRoot()));
