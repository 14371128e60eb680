import 'reflect-metadata';
import { runMain, startApp } from '@caravan/runtime';
import { PublisherModule } from './publisher.module';

runMain(() => startApp(PublisherModule.forRoot()));
