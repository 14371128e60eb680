import 'reflect-metadata';
import { runMain, startApp } from '@caravan/runtime';
import { ProjectorModule } from './projector.module';

runMain(() => startApp(ProjectorModule.forRoot()));
